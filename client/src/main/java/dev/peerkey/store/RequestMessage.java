package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A first message carried by a message request, decrypted for display. Its body is secret
 * (stored in the BLOB column {@code request_messages.body}). Accessors return copies; never printed.
 *
 * @param sentAt the sender's clock, as it claims
 */
public record RequestMessage(MessageId id, Instant sentAt, byte[] body) {
    public RequestMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sentAt, "sentAt");
        body = Bytes.copy(body, "body");
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestMessage m && id.equals(m.id) && sentAt.equals(m.sentAt)
                && Arrays.equals(body, m.body);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "RequestMessage[" + id + "]";
    }
}
