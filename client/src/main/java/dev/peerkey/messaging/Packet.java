package dev.peerkey.messaging;

import dev.peerkey.session.Envelope;
import dev.peerkey.store.MessageId;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.Frame;
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
 *      0    1 version (2)
 *      1    1 type: 1 text, 2 key confirmation, 3 acknowledgement, 4 endpoint update
 *      2   16 message ID (random; the receiver stores each ID once)
 *     18    8 sender's clock, milliseconds since the epoch, big-endian
 *     26    4 body length n, big-endian
 *     30    n body: UTF-8 text | 32-byte confirmation tag | n x 16-byte acknowledged IDs | endpoint "host:port"
 *   30+n    zeros, until the envelope is one of {@link Padding#ENVELOPE_SIZES}
 * </pre>
 *
 * Version 1 (written before padding) had no length and no padding: the body ran to the end.
 * It still decodes, so envelopes queued by an older client are read.
 */
public record Packet(Type type, MessageId id, Instant sentAt, byte[] body) {
    public static final int VERSION = 2;
    /** The header of a version-2 packet (the padding comes on top). */
    public static final int HEADER_SIZE = 1 + 1 + MessageId.LENGTH + 8 + 4;
    /** The longest text (UTF-8 bytes) one mailbox post can carry: its envelope is then the Messenger's limit. */
    public static final int MAX_MAILBOX_TEXT = MessengerContract.MAX_ENVELOPE_LENGTH - Envelope.OVERHEAD - HEADER_SIZE;
    /** The longest text (UTF-8 bytes) one direct frame can carry. */
    public static final int MAX_DIRECT_TEXT = Frame.MAX_BODY - Envelope.OVERHEAD - HEADER_SIZE;

    private static final int VERSION_1 = 1;
    private static final int HEADER_SIZE_V1 = 1 + 1 + MessageId.LENGTH + 8;

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

    /** Version 2, padded with zeros so that its envelope is one of {@link Padding#ENVELOPE_SIZES}. */
    public byte[] encode() {
        return ByteBuffer.allocate(Padding.plaintextSize(HEADER_SIZE + body.length))
                .put((byte) VERSION).put((byte) type.code).put(id.bytes()).putLong(sentAt.toEpochMilli())
                .putInt(body.length).put(body)
                .array(); // the rest is zeros
    }

    /** Reads version 2 (padded) and version 1 (unpadded, from older clients). */
    public static Packet decode(byte[] bytes) {
        if (bytes.length < HEADER_SIZE_V1) {
            throw new MessagingException("refused: the decrypted message is " + bytes.length
                    + " bytes, shorter than a packet header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int version = in.get() & 0xFF;
        if (version != VERSION && version != VERSION_1) {
            throw new MessagingException("refused: packet version " + version + " is not supported (this client reads "
                    + VERSION_1 + " and " + VERSION + ")");
        }
        Type type = Type.of(in.get() & 0xFF);
        byte[] id = new byte[MessageId.LENGTH];
        in.get(id);
        Instant sentAt = Instant.ofEpochMilli(in.getLong());
        int length = version == VERSION_1 ? in.remaining() : bodyLength(in);
        byte[] body = new byte[length];
        in.get(body);
        while (in.hasRemaining()) {
            if (in.get() != 0) {
                throw new MessagingException("refused: the message's padding is not zeros");
            }
        }
        return new Packet(type, MessageId.of(id), sentAt, body);
    }

    private static int bodyLength(ByteBuffer in) {
        if (in.remaining() < Integer.BYTES) {
            throw new MessagingException("refused: the decrypted message is too short for a version-2 packet header");
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new MessagingException("refused: the message's body length " + Integer.toUnsignedLong(length)
                    + " runs past its end (" + in.remaining() + " bytes left)");
        }
        return length;
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
