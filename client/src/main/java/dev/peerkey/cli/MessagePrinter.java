package dev.peerkey.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints chat messages: one line of text each, or one JSON object per line with --json. */
final class MessagePrinter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final boolean json;
    private final PrintStream out = System.out;

    MessagePrinter(boolean json) {
        this.json = json;
    }

    void print(Message m) {
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("id", m.id().hex());
            fields.put("from", m.direction() == Direction.IN ? m.peer().hex() : null);
            fields.put("to", m.direction() == Direction.OUT ? m.peer().hex() : null);
            fields.put("text", m.text());
            fields.put("sentAt", m.sentAt() == null ? null : m.sentAt().toString());
            fields.put("receivedAt", m.direction() == Direction.IN ? m.createdAt().toString() : null);
            fields.put("via", m.transport() == null ? null : m.transport().name().toLowerCase());
            fields.put("status", m.status().name().toLowerCase());
            try {
                out.println(JSON.writeValueAsString(fields));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            String who = m.direction() == Direction.IN ? m.peer().displayName().value() + " ->"
                    : "-> " + m.peer().displayName().value();
            String via = m.transport() == null ? "" : " (" + m.transport().name().toLowerCase() + ")";
            out.println("[" + TIME.format(m.createdAt()) + "] " + who + via + ": " + m.text());
        }
        out.flush();
    }
}
