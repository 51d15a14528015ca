package dev.peerkey.handshake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The plaintext inside a handshake step's sealed payload: the private fields that must not be
 * public on chain. Binary, versioned:
 *
 * <pre>
 * offset  size  field
 * 0       1     version = 1
 * 1       1     flags: 0x01 endpoint present, 0x02 confirmation tag present, 0x04 messages present;
 *               other bits must be 0
 * 2       1     endpoint length n (1..255)        if 0x01
 *         n     endpoint, ASCII "host:port"       if 0x01
 *         32    confirmation tag                  if 0x02
 *         1     message count k (1..255)          if 0x04
 *   k times:    16 message ID | 8 sender's time (ms, big-endian) | 2 text length t (1..65535) | t UTF-8 text
 *         2     padding length p                  if 0x08
 *         p     zero bytes                        if 0x08
 * </pre>
 *
 * Nothing may follow; message IDs are distinct. An auth request carries at most an endpoint and
 * first messages; an accept carries the responder's confirmation tag and possibly an endpoint,
 * never messages. Immutable.
 */
public final class Payload {
    public static final int VERSION = 1;
    public static final int CONFIRMATION_LENGTH = 32;

    /** The most messages one payload carries. */
    public static final int MAX_MESSAGES = 255;
    /** The longest payload a step can seal: the contract's limit less the ECIES overhead. */
    public static final int MAX_LENGTH = Steps.MAX_SEALED_PAYLOAD_LENGTH - Ecies.OVERHEAD;

    private static final int FLAG_ENDPOINT = 0x01;
    private static final int FLAG_CONFIRMATION = 0x02;
    private static final int FLAG_MESSAGES = 0x04;
    private static final int FLAG_PADDING = 0x08;
    private static final Payload EMPTY = new Payload(null, null, List.of());
    /** Plaintext lengths that seal to 256, 1,024, 4,096 and 16,384 bytes. */
    private static final int[] PADDED_LENGTHS = {256 - Ecies.OVERHEAD, 1024 - Ecies.OVERHEAD, 4096 - Ecies.OVERHEAD,
        MAX_LENGTH};

    private final Endpoint endpoint;
    private final byte[] confirmation;
    private final List<FirstMessage> messages;
    /** Zero bytes after the fields; not part of the payload's meaning (equals ignores it). */
    private final int padding;

    private Payload(Endpoint endpoint, byte[] confirmation, List<FirstMessage> messages) {
        this(endpoint, confirmation, messages, -1);
    }

    private Payload(Endpoint endpoint, byte[] confirmation, List<FirstMessage> messages, int padding) {
        this.endpoint = endpoint;
        this.confirmation = confirmation;
        this.messages = messages;
        this.padding = padding;
    }

    /**
     * This payload padded with zero bytes so that, sealed, it is 256, 1,024, 4,096 or 16,384
     * bytes long: the smallest class it fits (unpadded if not even the padding's own two bytes fit).
     */
    public Payload padded() {
        int bare = new Payload(endpoint, confirmation, messages).length();
        for (int target : PADDED_LENGTHS) {
            if (bare + 2 <= target) {
                return new Payload(endpoint, confirmation, messages, target - bare - 2);
            }
        }
        return this;
    }

    public static Payload empty() {
        return EMPTY;
    }

    /**
     * @param endpoint the sender's direct-connection endpoint, or null
     * @param confirmation a 32-byte key-confirmation tag, or null
     */
    public static Payload of(Endpoint endpoint, byte[] confirmation) {
        return of(endpoint, confirmation, List.of());
    }

    /**
     * @param messages first messages for the responder (an auth request only), distinct IDs, at
     *     most {@link #MAX_MESSAGES}; the whole payload must fit in {@link #MAX_LENGTH} bytes
     * @throws HandshakeException if a limit is broken
     */
    public static Payload of(Endpoint endpoint, byte[] confirmation, List<FirstMessage> messages) {
        if (confirmation != null && confirmation.length != CONFIRMATION_LENGTH) {
            throw new HandshakeException("a confirmation tag must be " + CONFIRMATION_LENGTH + " bytes, got "
                    + confirmation.length);
        }
        List<FirstMessage> copy = List.copyOf(messages);
        if (copy.size() > MAX_MESSAGES) {
            throw new HandshakeException("a handshake step carries at most " + MAX_MESSAGES + " messages, not "
                    + copy.size());
        }
        Set<String> ids = new HashSet<>();
        for (FirstMessage m : copy) {
            if (!ids.add(Arrays.toString(m.id()))) {
                throw new HandshakeException("two carried messages have the same ID");
            }
        }
        Payload payload = new Payload(endpoint, confirmation == null ? null : confirmation.clone(), copy);
        int length = payload.length();
        if (length > MAX_LENGTH) {
            throw new HandshakeException("the sealed payload would be " + length + " bytes; at most " + MAX_LENGTH
                    + " fit in a handshake step");
        }
        return payload;
    }

    /** The encoded length of a payload with these messages and no endpoint or tag. */
    public static int lengthWith(List<FirstMessage> messages) {
        return new Payload(null, null, List.copyOf(messages)).length();
    }

    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** A copy of the confirmation tag, if present. */
    public Optional<byte[]> confirmation() {
        return Optional.ofNullable(confirmation).map(byte[]::clone);
    }

    /** The first messages carried, oldest first; empty if none. */
    public List<FirstMessage> messages() {
        return messages;
    }

    private int length() {
        int size = 2 + (endpoint == null ? 0 : 1 + endpoint.toString().length())
                + (confirmation == null ? 0 : CONFIRMATION_LENGTH);
        if (!messages.isEmpty()) {
            size += 1 + messages.stream().mapToInt(FirstMessage::encodedLength).sum();
        }
        return padding < 0 ? size : size + 2 + padding;
    }

    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(length());
        out.put((byte) VERSION);
        out.put((byte) ((endpoint == null ? 0 : FLAG_ENDPOINT) | (confirmation == null ? 0 : FLAG_CONFIRMATION)
                | (messages.isEmpty() ? 0 : FLAG_MESSAGES) | (padding < 0 ? 0 : FLAG_PADDING)));
        if (endpoint != null) {
            byte[] endpointBytes = endpoint.toString().getBytes(StandardCharsets.US_ASCII);
            out.put((byte) endpointBytes.length).put(endpointBytes);
        }
        if (confirmation != null) {
            out.put(confirmation);
        }
        if (!messages.isEmpty()) {
            out.put((byte) messages.size());
            for (FirstMessage m : messages) {
                byte[] text = m.text();
                out.put(m.id()).putLong(m.sentAt().toEpochMilli()).putShort((short) text.length).put(text);
            }
        }
        if (padding >= 0) {
            out.putShort((short) padding); // then zeros, as allocated
        }
        return out.array();
    }

    /**
     * Reads what {@link #toBytes()} wrote.
     *
     * @throws SealedPayloadException if the bytes are not a well-formed version-1 payload
     */
    public static Payload fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < 2) {
            throw malformed("it is shorter than its two-byte header");
        }
        if (bytes[0] != VERSION) {
            throw new SealedPayloadException("the sealed payload's contents have unknown version "
                    + (bytes[0] & 0xff) + " (this client reads version " + VERSION + ")");
        }
        int flags = bytes[1] & 0xff;
        if ((flags & ~(FLAG_ENDPOINT | FLAG_CONFIRMATION | FLAG_MESSAGES | FLAG_PADDING)) != 0) {
            throw malformed("it sets unknown flags");
        }
        int pos = 2;
        Endpoint endpoint = null;
        if ((flags & FLAG_ENDPOINT) != 0) {
            if (pos >= bytes.length) {
                throw malformed("the endpoint is cut short");
            }
            int n = bytes[pos++] & 0xff;
            if (n == 0 || pos + n > bytes.length) {
                throw malformed("the endpoint is empty or cut short");
            }
            byte[] text = Arrays.copyOfRange(bytes, pos, pos + n);
            for (byte b : text) {
                if (b < 0x21 || b > 0x7e) {
                    throw malformed("the endpoint is not printable ASCII");
                }
            }
            try {
                endpoint = Endpoint.parse(new String(text, StandardCharsets.US_ASCII));
            } catch (HandshakeException e) {
                throw new SealedPayloadException("the sealed payload's contents are malformed: " + e.getMessage(), e);
            }
            pos += n;
        }
        byte[] confirmation = null;
        if ((flags & FLAG_CONFIRMATION) != 0) {
            if (pos + CONFIRMATION_LENGTH > bytes.length) {
                throw malformed("the confirmation tag is cut short");
            }
            confirmation = Arrays.copyOfRange(bytes, pos, pos + CONFIRMATION_LENGTH);
            pos += CONFIRMATION_LENGTH;
        }
        List<FirstMessage> messages = List.of();
        if ((flags & FLAG_MESSAGES) != 0) {
            ByteBuffer in = ByteBuffer.wrap(bytes, pos, bytes.length - pos);
            messages = readMessages(in);
            pos = in.position();
        }
        if ((flags & FLAG_PADDING) != 0) {
            if (pos + 2 > bytes.length) {
                throw malformed("the padding length is cut short");
            }
            int n = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
            pos += 2;
            if (pos + n != bytes.length) {
                throw malformed("the padding is not as long as it says");
            }
            for (; pos < bytes.length; pos++) {
                if (bytes[pos] != 0) {
                    throw malformed("the padding is not zeros");
                }
            }
        }
        if (pos != bytes.length) {
            throw malformed((bytes.length - pos) + " unexpected bytes follow its fields");
        }
        try {
            return of(endpoint, confirmation, messages);
        } catch (HandshakeException e) {
            throw new SealedPayloadException("the sealed payload's contents are malformed: " + e.getMessage(), e);
        }
    }

    private static List<FirstMessage> readMessages(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw malformed("the message count is missing");
        }
        int count = in.get() & 0xff;
        if (count == 0) {
            throw malformed("the messages flag is set but it carries none");
        }
        List<FirstMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.remaining() < FirstMessage.ID_LENGTH + 8 + 2) {
                throw malformed("message " + (i + 1) + " is cut short");
            }
            byte[] id = new byte[FirstMessage.ID_LENGTH];
            in.get(id);
            long sentAt = in.getLong();
            int length = in.getShort() & 0xffff;
            if (length == 0 || in.remaining() < length) {
                throw malformed("message " + (i + 1) + " is empty or cut short");
            }
            byte[] text = new byte[length];
            in.get(text);
            messages.add(new FirstMessage(id, Instant.ofEpochMilli(sentAt), text));
        }
        return messages;
    }

    private static SealedPayloadException malformed(String why) {
        return new SealedPayloadException("the sealed payload's contents are malformed: " + why);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload other && Objects.equals(endpoint, other.endpoint)
                && messages.equals(other.messages)
                && (confirmation == null ? other.confirmation == null
                        : other.confirmation != null && MessageDigest.isEqual(confirmation, other.confirmation));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(endpoint) * 31 + (confirmation == null ? 0 : 1);
    }

    /** Says which fields are present; the endpoint is private and the tag secret-derived, so neither is shown. */
    @Override
    public String toString() {
        return "Payload[endpoint=" + (endpoint == null ? "none" : "present")
                + ", confirmation=" + (confirmation == null ? "none" : "present")
                + (messages.isEmpty() ? "" : ", messages=" + messages.size()) + "]";
    }
}
