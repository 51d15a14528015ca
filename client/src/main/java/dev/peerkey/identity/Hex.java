package dev.peerkey.identity;

import java.util.HexFormat;

/** Strict hex decoding: optional 0x/0X, even length, hex digits only. */
final class Hex {
    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {
    }

    /** Decodes, or returns null if {@code s} is not hex; callers word their own error. */
    static byte[] decodeOrNull(String s) {
        if (s == null) {
            return null;
        }
        String digits = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (digits.length() % 2 != 0) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (!HexFormat.isHexDigit(digits.charAt(i))) { // ASCII only, unlike Character.digit
                return null;
            }
        }
        return LOWER.parseHex(digits);
    }

    static String encode(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    static String encode0x(byte[] bytes) {
        return "0x" + LOWER.formatHex(bytes);
    }
}
