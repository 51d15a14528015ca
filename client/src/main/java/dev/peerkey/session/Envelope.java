package dev.peerkey.session;

import java.util.Arrays;
import java.util.Objects;

/**
 * One encrypted chat message as it travels over any transport. All integers are unsigned
 * big-endian.
 *
 * <pre>
 * offset  size    field
 *      0     1    version, 0x01
 *      1    32    sender's current ratchet public key (X25519, RFC 7748 encoding)
 *     33     4    PN: number of messages in the sender's previous sending chain
 *     37     4    N: number of this message in the sender's current sending chain (from 0)
 *     41  L+16    AES-256-GCM ciphertext of the L-byte plaintext, then the 16-byte tag
 * </pre>
 *
 * <p>Bytes 0–40 are the header. The GCM associated data is the session's associated data
 * (fixed when the session is created) followed by the header, so the version and every
 * header field are authenticated. The overhead over the plaintext is {@value #OVERHEAD}
 * bytes; the shortest envelope (an empty plaintext) is {@value #OVERHEAD} bytes.
 *
 * <p>Instances are immutable; accessors return copies.
 */
public final class Envelope {
    /** The only version this client reads and writes. */
    public static final int VERSION = 1;
    /** Size of the header: version, ratchet public key, PN and N. */
    public static final int HEADER_SIZE = 1 + RatchetKeyPair.KEY_SIZE + 4 + 4;
    /** Size of the AES-GCM authentication tag. */
    public static final int TAG_SIZE = RatchetCrypto.TAG_SIZE;
    /** Bytes an envelope adds to its plaintext. */
    public static final int OVERHEAD = HEADER_SIZE + TAG_SIZE;
    /** Largest PN or N the header can carry. */
    public static final long MAX_COUNTER = 0xFFFF_FFFFL;

    static final int KEY_OFFSET = 1;
    static final int PN_OFFSET = KEY_OFFSET + RatchetKeyPair.KEY_SIZE;
    static final int N_OFFSET = PN_OFFSET + 4;

    private final byte[] bytes;

    private Envelope(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Reads an envelope, checking its version and length; the ciphertext is authenticated
     * only by {@link DoubleRatchet#decrypt(byte[])}.
     *
     * @throws MalformedEnvelopeException if the bytes are empty, of another version, or shorter
     *     than {@value #OVERHEAD} bytes
     */
    public static Envelope parse(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length == 0) {
            throw new MalformedEnvelopeException("envelope is empty");
        }
        int version = encoded[0] & 0xFF;
        if (version != VERSION) {
            throw new MalformedEnvelopeException(
                    "envelope version " + version + " is not supported (this client reads version " + VERSION + ")");
        }
        if (encoded.length < OVERHEAD) {
            throw new MalformedEnvelopeException(
                    "envelope is truncated: " + encoded.length + " bytes, at least " + OVERHEAD + " expected");
        }
        return new Envelope(encoded.clone());
    }

    /**
     * Builds an envelope from its fields.
     *
     * @param ciphertextAndTag the GCM output, at least {@value #TAG_SIZE} bytes
     */
    public static Envelope of(byte[] ratchetPublicKey, long previousChainLength, long messageNumber,
            byte[] ciphertextAndTag) {
        Objects.requireNonNull(ratchetPublicKey, "ratchetPublicKey");
        Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
        if (ratchetPublicKey.length != RatchetKeyPair.KEY_SIZE) {
            throw new MalformedEnvelopeException("ratchet public key must be 32 bytes");
        }
        if (ciphertextAndTag.length < TAG_SIZE) {
            throw new MalformedEnvelopeException("ciphertext is shorter than the 16-byte tag");
        }
        if (ciphertextAndTag.length > Integer.MAX_VALUE - 64) {
            throw new MalformedEnvelopeException("ciphertext is too large for one envelope");
        }
        byte[] out = allocate(ciphertextAndTag.length - TAG_SIZE);
        writeHeader(out, ratchetPublicKey, previousChainLength, messageNumber);
        System.arraycopy(ciphertextAndTag, 0, out, HEADER_SIZE, ciphertextAndTag.length);
        return new Envelope(out);
    }

    /** An array sized for an envelope around an {@code plaintextLength}-byte plaintext. */
    static byte[] allocate(int plaintextLength) {
        return new byte[OVERHEAD + plaintextLength];
    }

    static void writeHeader(byte[] out, byte[] ratchetPublicKey, long previousChainLength, long messageNumber) {
        checkCounter(previousChainLength, "PN");
        checkCounter(messageNumber, "N");
        out[0] = VERSION;
        System.arraycopy(ratchetPublicKey, 0, out, KEY_OFFSET, RatchetKeyPair.KEY_SIZE);
        putUint32(out, PN_OFFSET, previousChainLength);
        putUint32(out, N_OFFSET, messageNumber);
    }

    /** The encoded envelope (a copy). */
    public byte[] encode() {
        return bytes.clone();
    }

    byte[] bytesRef() {
        return bytes;
    }

    public int version() {
        return bytes[0] & 0xFF;
    }

    /** The sender's current ratchet public key (a copy). */
    public byte[] ratchetPublicKey() {
        return Arrays.copyOfRange(bytes, KEY_OFFSET, KEY_OFFSET + RatchetKeyPair.KEY_SIZE);
    }

    /** PN: how many messages the sender sent in its previous sending chain. */
    public long previousChainLength() {
        return getUint32(bytes, PN_OFFSET);
    }

    /** N: this message's number in the sender's current sending chain. */
    public long messageNumber() {
        return getUint32(bytes, N_OFFSET);
    }

    /** The AES-GCM ciphertext followed by its tag (a copy). */
    public byte[] ciphertext() {
        return Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length);
    }

    /** Length of the plaintext inside. */
    public int plaintextLength() {
        return bytes.length - OVERHEAD;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Envelope[version=" + version() + ", pn=" + previousChainLength() + ", n=" + messageNumber()
                + ", plaintext=" + plaintextLength() + " bytes]";
    }

    private static void checkCounter(long value, String name) {
        if (value < 0 || value > MAX_COUNTER) {
            throw new MalformedEnvelopeException(name + " must fit in an unsigned 32-bit integer");
        }
    }

    static void putUint32(byte[] out, int offset, long value) {
        out[offset] = (byte) (value >>> 24);
        out[offset + 1] = (byte) (value >>> 16);
        out[offset + 2] = (byte) (value >>> 8);
        out[offset + 3] = (byte) value;
    }

    static long getUint32(byte[] in, int offset) {
        return ((in[offset] & 0xFFL) << 24) | ((in[offset + 1] & 0xFFL) << 16)
                | ((in[offset + 2] & 0xFFL) << 8) | (in[offset + 3] & 0xFFL);
    }
}
