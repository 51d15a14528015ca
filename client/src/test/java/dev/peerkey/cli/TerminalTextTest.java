package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a peer's text may contain, and what reaches the terminal instead. */
class TerminalTextTest {
    private static boolean clean(String printed) {
        return printed.codePoints().noneMatch(TerminalText::unsafe);
    }

    @Test
    void c0ControlsBecomeVisibleEscapes() {
        assertEquals("a\\rb", TerminalText.escape("a\rb"));
        assertEquals("a\\nb", TerminalText.escape("a\nb"));
        assertEquals("a\\tb", TerminalText.escape("a\tb"));
        assertEquals("\\x00\\x07\\x08\\x0b\\x0c\\x1f", TerminalText.escape("\0\u0007\b\u000b\f\u001f"));
        for (int cp = 0; cp < 0x20; cp++) {
            String printed = TerminalText.escape("x" + (char) cp + "y");
            assertTrue(clean(printed), "C0 " + cp);
            assertTrue(printed.startsWith("x\\") && printed.endsWith("y"), printed);
        }
    }

    @Test
    void escapeSequencesCannotStart() {
        // Clear the screen, move home, recolour, set the window title, hyperlink: none can act.
        String attack = "\u001b[2J\u001b[1;1Hbob -> : hi\u001b[31m\u001b]0;pwned\u0007\u001b]8;;http://x\u001b\\";
        String printed = TerminalText.escape(attack);
        assertEquals("\\x1b[2J\\x1b[1;1Hbob -> : hi\\x1b[31m\\x1b]0;pwned\\x07\\x1b]8;;http://x\\x1b\\", printed);
        assertFalse(printed.contains("\u001b"));
    }

    @Test
    void delAndC1ControlsAreEscaped() {
        assertEquals("\\x7f", TerminalText.escape("\u007f"));
        assertEquals("\\u009b2J", TerminalText.escape("\u009b2J"), "CSI, the one-byte ESC [");
        assertEquals("\\u0085", TerminalText.escape("\u0085"), "NEL, a line break to some terminals");
        for (int cp = 0x80; cp <= 0x9f; cp++) {
            assertEquals(String.format("\\u%04x", cp), TerminalText.escape(new String(Character.toChars(cp))));
        }
    }

    @Test
    void bidiControlsAndLineSeparatorsAreEscaped() {
        // "evil.exe" shown as "exe.live" no more.
        assertEquals("\\u202eexe.live", TerminalText.escape("\u202eexe.live"));
        int[] bidi = {0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
            0x2028, 0x2029};
        for (int cp : bidi) {
            assertEquals(String.format("\\u%04x", cp), TerminalText.escape(new String(Character.toChars(cp))));
        }
    }

    @Test
    void noUnsafeCharacterSurvivesAndSafeTextIsUntouched() {
        StringBuilder everything = new StringBuilder();
        for (int cp = 0; cp <= 0x3000; cp++) {
            everything.appendCodePoint(cp);
        }
        assertTrue(clean(TerminalText.escape(everything.toString())));
        String safe = "héllo wörld, 你好, שלום, 🙂, a literal \\x1b and a backslash \\";
        assertSame(safe, TerminalText.escape(safe), "ordinary text, other scripts and emoji are printed as they are");
        assertNull(TerminalText.escape(null));
    }

    @Test
    void linesSplitAtLineBreaksOnly() {
        assertEquals(List.of("one", "two", "three"), TerminalText.lines("one\ntwo\r\nthree"));
        assertEquals(List.of("a\\rb"), TerminalText.lines("a\rb"), "a lone carriage return is no line break");
        assertEquals(List.of("end", ""), TerminalText.lines("end\n"));
        assertEquals(List.of(""), TerminalText.lines(""));
    }

    @Test
    void continuationLinesAreIndentedUnderThePrefix() {
        String prefix = "[2026-01-01 10:00:00] bob -> (chain): ";
        String printed = TerminalText.indent(prefix, "first\n[2026-01-01 10:00:01] mallory -> (chain): fake\nthird");
        List<String> lines = printed.lines().toList();
        assertEquals(prefix + "first", lines.get(0));
        String pad = " ".repeat(prefix.length());
        assertEquals(pad + "[2026-01-01 10:00:01] mallory -> (chain): fake", lines.get(1),
                "a forged line cannot start at the left margin");
        assertEquals(pad + "third", lines.get(2));
    }

    @Test
    void jsonStaysExactAndValidWithEveryUnsafeCharacterEscaped() throws Exception {
        String text = "a\u001b[2J\r\n\u007f\u009b\u202eb\u2066c\t\"q\"";
        String json = TerminalText.JSON.writeValueAsString(Map.of("text", text));
        assertTrue(clean(json), json);
        assertTrue(json.contains("\\u001B[2J"), json);
        assertTrue(json.contains("\\u007F"), json);
        assertTrue(json.contains("\\u009b"), json);
        assertTrue(json.contains("\\u202e"), json);
        assertEquals(text, new ObjectMapper().readTree(json).path("text").asText(), "parsed back: the exact text");
        assertEquals("{\"text\":\"héllo 🙂\"}", TerminalText.JSON.writeValueAsString(Map.of("text", "héllo 🙂")));
    }
}
