package dev.peerkey.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text from outside (a peer's message, a peer's or a node's error reason, anything read from
 * the chain) made safe for a terminal. A peer must not be able to move the cursor, erase the
 * sender's name, recolour or retitle the terminal, or reorder what is shown; so every character
 * a terminal acts on is printed as a visible escape instead:
 *
 * <ul>
 *   <li>C0 controls and DEL: {@code \r}, {@code \n}, {@code \t} by name, the others as
 *       {@code \x1b}, {@code \x07}, {@code \x7f} …; ESC therefore cannot start a sequence;</li>
 *   <li>C1 controls (U+0080–U+009F, e.g. CSI U+009B) as {@code \u009b};</li>
 *   <li>bidirectional formatting (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the
 *       line and paragraph separators U+2028, U+2029, as {@code \u202e} ….</li>
 * </ul>
 *
 * Everything else, other scripts and emoji included, is printed as it is. A message's own line
 * breaks become continuation lines ({@link #indent}); JSON output ({@link #JSON}) keeps the
 * text exact and escapes the same characters the JSON way.
 */
final class TerminalText {
    /** The JSON writer for everything the CLI prints: valid JSON, with every character above escaped. */
    static final ObjectMapper JSON = jsonMapper();

    private TerminalText() {
    }

    /** Whether a terminal could act on {@code cp} (see the class description). */
    static boolean unsafe(int cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f
                || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
    }

    /** {@code text} on one line, every unsafe character (line breaks too) a visible escape; null stays null. */
    static String escape(String text) {
        if (text == null || text.codePoints().noneMatch(TerminalText::unsafe)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (!unsafe(cp)) {
                out.appendCodePoint(cp);
                return;
            }
            switch (cp) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(cp < 0x80 ? String.format(Locale.ROOT, "\\x%02x", cp)
                        : String.format(Locale.ROOT, "\\u%04x", cp));
            }
        });
        return out.toString();
    }

    /** The lines of {@code text} (split at "\n" or "\r\n"), each escaped; at least one. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            out.add(escape(line));
        }
        return out;
    }

    /**
     * {@code prefix} and the escaped text; a multi-line text's further lines indented by the
     * prefix's width, so no line of a message can pass for another message or another sender.
     * {@code prefix} is our own text (no control characters).
     */
    static String indent(String prefix, String text) {
        List<String> lines = lines(text);
        String pad = " ".repeat(prefix.length());
        StringBuilder out = new StringBuilder(prefix).append(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            out.append(System.lineSeparator()).append(pad).append(line);
        }
        return out.toString();
    }

    private static ObjectMapper jsonMapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setCharacterEscapes(new JsonEscapes());
        return mapper;
    }

    /** Jackson escapes C0 controls already; this adds DEL, C1 and the bidirectional controls. */
    private static final class JsonEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        JsonEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return unsafe(ch) ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch)) : null;
        }
    }
}
