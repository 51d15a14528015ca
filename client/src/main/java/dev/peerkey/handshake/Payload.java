package dev.peerkey.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The plaintext inside a handshake step's sealed payload: the private fields that must not be
 * public on chain. Binary, versioned:
 *
 * <pre>
 * offset  size  field
 * 0       1     version = 1
 * 1       1     flags: 0x01 endpoint present, 0x02 confirmation tag present; other bits must be 0
 * 2       1     endpoint length n (1..255)        if 0x01
 *         n     endpoint, ASCII "host:port"       if 0x01
 *         32    confirmation tag                  if 0x02
 * </pre>
 *
 * Nothing may follow. An auth request carries at most an endpoint; an accept carries the
 * responder's confirmation tag and possibly an endpoint. Immutable.
 */
public final class Payload {
    public static final int VERSION = 1;
    public static final int CONFIRMATION_LENGTH = 32;

    private static final int FLAG_ENDPOINT = 0x01;
    private static final int FLAG_CONFIRMATION = 0x02;
    private static final Payload EMPTY = new Payload(null, null);

    private final Endpoint endpoint;
    private final byte[] confirmation;

    private Payload(Endpoint endpoint, byte[] confirmation) {
        this.endpoint = endpoint;
        this.confirmation = confirmation;
    }

    public static Payload empty() {
        return EMPTY;
    }

    /**
     * @param endpoint the sender's direct-connection endpoint, or null
     * @param confirmation a 32-byte key-confirmation tag, or null
     */
    public static Payload of(Endpoint endpoint, byte[] confirmation) {
        if (confirmation != null && confirmation.length != CONFIRMATION_LENGTH) {
            throw new HandshakeException("a confirmation tag must be " + CONFIRMATION_LENGTH + " bytes, got "
                    + confirmation.length);
        }
        return new Payload(endpoint, confirmation == null ? null : confirmation.clone());
    }

    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** A copy of the confirmation tag, if present. */
    public Optional<byte[]> confirmation() {
        return Optional.ofNullable(confirmation).map(byte[]::clone);
    }

    public byte[] toBytes() {
        byte[] endpointBytes = endpoint == null ? new byte[0]
                : endpoint.toString().getBytes(StandardCharsets.US_ASCII);
        int size = 2 + (endpoint == null ? 0 : 1 + endpointBytes.length)
                + (confirmation == null ? 0 : CONFIRMATION_LENGTH);
        byte[] out = new byte[size];
        out[0] = VERSION;
        out[1] = (byte) ((endpoint == null ? 0 : FLAG_ENDPOINT) | (confirmation == null ? 0 : FLAG_CONFIRMATION));
        int pos = 2;
        if (endpoint != null) {
            out[pos++] = (byte) endpointBytes.length;
            System.arraycopy(endpointBytes, 0, out, pos, endpointBytes.length);
            pos += endpointBytes.length;
        }
        if (confirmation != null) {
            System.arraycopy(confirmation, 0, out, pos, CONFIRMATION_LENGTH);
        }
        return out;
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
        if ((flags & ~(FLAG_ENDPOINT | FLAG_CONFIRMATION)) != 0) {
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
        if (pos != bytes.length) {
            throw malformed((bytes.length - pos) + " unexpected bytes follow its fields");
        }
        return new Payload(endpoint, confirmation);
    }

    private static SealedPayloadException malformed(String why) {
        return new SealedPayloadException("the sealed payload's contents are malformed: " + why);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload other && Objects.equals(endpoint, other.endpoint)
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
                + ", confirmation=" + (confirmation == null ? "none" : "present") + "]";
    }
}
