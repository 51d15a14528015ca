package dev.peerkey.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a command's words go: results to stdout, as aligned text or as one JSON object
 * with {@code --json}; progress to stderr, so scripts can read stdout alone. Every line may
 * carry text from outside (a peer's reason, a node's answer), so all of it is printed through
 * {@link TerminalText}.
 */
final class Output {
    private static final ObjectMapper JSON = TerminalText.JSON;

    private final boolean json;
    private final PrintStream stdout = System.out;
    private final PrintStream stderr = System.err;

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
        fields.forEach((key, value) -> stdout.printf("%-" + width + "s  %s%n", key,
                value == null ? "-" : TerminalText.escape(String.valueOf(value))));
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
