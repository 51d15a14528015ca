package dev.peerkey.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a command's words go: results to stdout, as aligned text or as one JSON object
 * with {@code --json}; progress to stderr, so scripts can read stdout alone. Every line may
 * carry text from outside (a peer's reason, a node's answer), so all of it is printed through
 * {@link TerminalText}.
 */
final class Output {
    private static final ObjectMapper JSON = TerminalText.JSON;

    private final boolean json;
    // The command's own streams, whichever thread prints (in the unlock agent, its client's).
    private final PrintStream stdout = InAgent.stdout();
    private final PrintStream stderr = InAgent.stderr();

    Output(boolean json) {
        this.json = json;
    }

    boolean json() {
        return json;
    }

    void progress(String message) {
        stderr.println(TerminalText.escape(message));
        stderr.flush();
    }

    /** Prints a result: one JSON object, or "key  value" lines. */
    void result(Map<String, ?> fields) {
        if (json) {
            try {
                stdout.println(JSON.writeValueAsString(fields));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((key, value) -> {
            if (value instanceof Collection<?> items && !items.isEmpty()) {
                stdout.println(key); // a list: one indented line per item
                items.forEach(item -> stdout.println("  " + TerminalText.escape(plain(item))));
            } else {
                stdout.printf("%-" + width + "s  %s%n", key, TerminalText.escape(plain(value)));
            }
        });
    }

    /** A value as text: "-" for none, a map as "key value, key value", never Java's toString of a map. */
    static String plain(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> e.getKey() + " " + plain(e.getValue()))
                    .collect(Collectors.joining(", "));
        }
        if (value instanceof Collection<?> items) {
            return items.isEmpty() ? "-" : items.stream().map(Output::plain).collect(Collectors.joining("; "));
        }
        return String.valueOf(value);
    }

    /** Prints a line of text, only in text mode. */
    void text(String line) {
        if (!json) {
            stdout.println(TerminalText.escape(line));
        }
    }

    static Map<String, Object> fields() {
        return new LinkedHashMap<>();
    }
}
