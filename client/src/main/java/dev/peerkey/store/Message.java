package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.PeerId;

/**
 * One stored message. Accessors return copies.
 *
 * @param seq local order: strictly increasing, never reused, also across restarts
 * @param sessionId the session whose ratchet encrypted or decrypted it
 * @param ourId which of this profile's identities sent or received it (the session's)
 * @param body the plaintext
 * @param envelope the encrypted envelope exactly as sent or received (kept for resends)
 * @param transport the transport that carried it; null for an outgoing message not sent yet
 * @param createdAt when it was stored: queued (outgoing) or received (incoming)
 * @param sentAt outgoing: when last handed to a transport; incoming: the sender's time if the
 *     transport knows it (e.g. the block time), else null
 * @param deliveredAt outgoing: when the peer's acknowledgement arrived; else null
 * @param kind chat text, or a control message that shares the resend queue
 * @param error outgoing: why the last delivery attempt failed (or why it was given up), else null
 */
public record Message(long seq, MessageId id, byte[] sessionId, PeerId ourId, PeerId peer, Direction direction,
        MessageStatus status, byte[] body, byte[] envelope, Transport transport,
        Instant createdAt, Instant sentAt, Instant deliveredAt, MessageKind kind, String error) {

    public Message {
        Objects.requireNonNull(id, "id");
        sessionId = Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID");
        Objects.requireNonNull(ourId, "ourId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(status, "status");
        body = Bytes.copy(body, "body");
        envelope = Bytes.copy(envelope, "envelope");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(kind, "kind");
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public byte[] envelope() {
        return envelope.clone();
    }

    /** The body decoded as UTF-8 (chat messages are text). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && seq == m.seq && id.equals(m.id)
                && Arrays.equals(sessionId, m.sessionId) && ourId.equals(m.ourId) && peer.equals(m.peer)
                && direction == m.direction && status == m.status
                && Arrays.equals(body, m.body) && Arrays.equals(envelope, m.envelope)
                && transport == m.transport && createdAt.equals(m.createdAt)
                && Objects.equals(sentAt, m.sentAt) && Objects.equals(deliveredAt, m.deliveredAt)
                && kind == m.kind && Objects.equals(error, m.error);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Identifies the message without its body. */
    @Override
    public String toString() {
        return "Message[#" + seq + " " + id + " " + kind + " " + direction + " " + status + ", peer=" + peer + "]";
    }
}
