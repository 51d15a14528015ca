package dev.peerkey.messaging;

import dev.peerkey.store.MessageId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The plaintext inside a ratchet envelope. Binary, versioned:
 *
 * <pre>
 * offset size field
 *      0    1 version (1)
 *      1    1 type: 1 text, 2 key confirmation, 3 acknowledgement, 4 endpoint update
 *      2   16 message ID (random; the receiver stores each ID once)
 *     18    8 sender's clock, milliseconds since the epoch, big-endian
 *     26    n body: UTF-8 text | 32-byte confirmation tag | n x 16-byte acknowledged IDs | endpoint "host:port"
 * </pre>
 *
 * With the envelope's 57 bytes, a text message costs 83 bytes more than its text.
 */
public record Packet(Type type, MessageId id, Instant sentAt, byte[] body) {
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 1 + 1 + MessageId.LENGTH + 8;

    /** What a packet carries. */
    public enum Type {
        TEXT(1), CONFIRM(2), ACK(3), ENDPOINT(4);

        final int code;

        Type(int code) {
            this.code = code;
        }

        /** Whether the receiver acknowledges it (acknowledgements themselves are not). */
        public boolean acknowledged() {
            return this != ACK;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new MessagingException("refused: the message has an unknown packet type " + code);
        }
    }

    public Packet {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sentAt, "sentAt");
        body = Objects.requireNonNull(body, "body").clone();
    }

    public static Packet text(String text, Instant now) {
        return new Packet(Type.TEXT, MessageId.random(), now, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The initiator's key-confirmation tag, the first message of every session it starts. */
    public static Packet confirm(byte[] tag, Instant now) {
        return new Packet(Type.CONFIRM, MessageId.random(), now, tag);
    }

    /** Our direct endpoint ("host:port") for the peer. */
    public static Packet endpoint(String endpoint, Instant now) {
        return new Packet(Type.ENDPOINT, MessageId.random(), now, endpoint.getBytes(StandardCharsets.UTF_8));
    }

    public static Packet ack(List<MessageId> ids, Instant now) {
        ByteBuffer body = ByteBuffer.allocate(ids.size() * MessageId.LENGTH);
        ids.forEach(id -> body.put(id.bytes()));
        return new Packet(Type.ACK, MessageId.random(), now, body.array());
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The IDs an ACK packet acknowledges. */
    public List<MessageId> acknowledged() {
        if (type != Type.ACK || body.length % MessageId.LENGTH != 0) {
            throw new MessagingException("refused: malformed acknowledgement");
        }
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < body.length; i += MessageId.LENGTH) {
            ids.add(MessageId.of(Arrays.copyOfRange(body, i, i + MessageId.LENGTH)));
        }
        return ids;
    }

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER_SIZE + body.length)
                .put((byte) VERSION).put((byte) type.code).put(id.bytes()).putLong(sentAt.toEpochMilli()).put(body)
                .array();
    }

    public static Packet decode(byte[] bytes) {
        if (bytes.length < HEADER_SIZE) {
            throw new MessagingException("refused: the decrypted message is " + bytes.length
                    + " bytes, shorter than a packet header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new MessagingException("refused: packet version " + version + " is not supported (this client reads "
                    + VERSION + ")");
        }
        Type type = Type.of(in.get() & 0xFF);
        byte[] id = new byte[MessageId.LENGTH];
        in.get(id);
        Instant sentAt = Instant.ofEpochMilli(in.getLong());
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Packet(type, MessageId.of(id), sentAt, body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && type == p.type && id.equals(p.id) && sentAt.equals(p.sentAt)
                && Arrays.equals(body, p.body);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Without the body: texts are never logged. */
    @Override
    public String toString() {
        return "Packet[" + type + " " + id + "]";
    }
}
