package dev.peerkey.store;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A message's 16-byte random identifier. The sender picks it before encrypting (it travels
 * inside the encrypted payload) so that acknowledgements and resends can name the message.
 */
public final class MessageId {
    public static final int LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private MessageId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A fresh identifier; 128 random bits make collisions negligible. */
    public static MessageId random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new MessageId(b);
    }

    public static MessageId of(byte[] bytes) {
        return new MessageId(Bytes.exact(bytes, LENGTH, "message ID"));
    }

    /** Parses 32 hex digits, with or without a 0x prefix. */
    public static MessageId parse(String hex) {
        try {
            return of(Bytes.parseHex(hex));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("message ID must be 32 hex digits", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** "0x" followed by 32 lower-case hex digits. */
    public String hex() {
        return Bytes.hex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
