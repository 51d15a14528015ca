package dev.peerkey.identity;

import java.util.Locale;

/**
 * A short, self-authenticating name for a peer: lowercase unpadded RFC 4648 base32 of the
 * first 80 bits of its ID, exactly 16 characters. Anyone holding the key can check it;
 * 80 bits keep a deliberate collision out of reach for an attacker with ordinary means.
 */
public final class DisplayName {
    public static final int LENGTH = 16;
    private static final int ID_PREFIX_BYTES = 10;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private final String value;

    private DisplayName(String value) {
        this.value = value;
    }

    public static DisplayName of(PeerId id) {
        byte[] b = id.bytes();
        StringBuilder out = new StringBuilder(LENGTH);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < ID_PREFIX_BYTES; i++) {
            buffer = (buffer << 8) | (b[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.append(ALPHABET.charAt((buffer >>> bits) & 31));
            }
            buffer &= (1 << bits) - 1; // keep only the bits not yet emitted
        }
        return new DisplayName(out.toString()); // 80 bits = 16 x 5, nothing left over
    }

    /** The 10 bytes (the first 80 bits of the ID) this name encodes. */
    public byte[] prefixBytes() {
        byte[] out = new byte[ID_PREFIX_BYTES];
        long high = 0;
        int bits = 0;
        int at = 0;
        for (int i = 0; i < LENGTH; i++) {
            high = (high << 5) | ALPHABET.indexOf(value.charAt(i));
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[at++] = (byte) (high >>> bits);
                high &= (1L << bits) - 1;
            }
        }
        return out;
    }

    /** Parses 16 characters of [a-z2-7], any case; the result is lowercase. */
    public static DisplayName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new MalformedKeyException("display name is missing");
        }
        if (text.length() != LENGTH) {
            throw new MalformedKeyException(
                    "display name must be 16 characters, got " + text.length());
        }
        if (!allBase32(text)) {
            throw new MalformedKeyException(
                    "display name may only contain the letters a-z and the digits 2-7");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return new DisplayName(lower);
    }

    /** True if {@code text} would parse: lets a CLI tell a name from an ID or address. */
    public static boolean looksLike(String text) {
        if (text == null || text.length() != LENGTH) {
            return false;
        }
        return allBase32(text);
    }

    /** ASCII-only check, so no locale or Unicode case folding can sneak a character in. */
    private static boolean allBase32(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public String value() {
        return value;
    }

    public boolean matches(PeerId id) {
        return id != null && equals(of(id));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DisplayName other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
