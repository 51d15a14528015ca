package dev.peerkey.store;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** Small helpers shared by the row types: defensive copies, length checks, hex, enum codes. */
final class Bytes {
    static final int ID_LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {
    }

    /** A copy of {@code b}, which must be exactly {@code length} bytes. */
    static byte[] exact(byte[] b, int length, String what) {
        Objects.requireNonNull(b, what);
        if (b.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length);
        }
        return b.clone();
    }

    static byte[] copy(byte[] b, String what) {
        return Objects.requireNonNull(b, what).clone();
    }

    static byte[] copyOrNull(byte[] b) {
        return b == null ? null : b.clone();
    }

    static String hex(byte[] b) {
        return "0x" + HEX.formatHex(b);
    }

    static byte[] parseHex(String s) {
        String digits = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        return HEX.parseHex(digits);
    }

    /** The database spelling of an enum constant: its name in lower case. */
    static String code(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E decode(Class<E> type, String code) {
        return code == null ? null : Enum.valueOf(type, code.toUpperCase(Locale.ROOT));
    }
}
