package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text results never show Java's toString of a map or list (`lookup --history`, `--at`). */
class OutputTest {
    private static Map<String, Object> key(int index, String publicKey) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("publicKey", publicKey);
        m.put("retiredAt", null);
        return m;
    }

    @Test
    void mapsAndListsReadAsText() {
        assertEquals("-", Output.plain(null));
        assertEquals("index 0, publicKey 0xab, retiredAt -", Output.plain(key(0, "0xab")));
        assertEquals("-", Output.plain(List.of()));
    }

    @Test
    void aListOfMapsPrintsOneIndentedLinePerItem() {
        PrintStream saved = System.out;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(sink, true, StandardCharsets.UTF_8));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("status", "active");
            fields.put("keyAt", Map.of("keyIndex", 1));
            fields.put("keys", List.of(key(0, "0xab"), key(1, "0xcd")));
            new Output(false).result(fields);
        } finally {
            System.setOut(saved);
        }
        String printed = sink.toString(StandardCharsets.UTF_8);
        assertEquals(String.join(System.lineSeparator(), "status  active", "keyAt   keyIndex 1", "keys",
                "  index 0, publicKey 0xab, retiredAt -", "  index 1, publicKey 0xcd, retiredAt -", ""), printed);
        assertFalse(printed.contains("{") || printed.contains("="), printed);
    }
}
