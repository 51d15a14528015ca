package dev.peerkey.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageStatus;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints chat messages: a sender prefix and the text, its control characters escaped and its
 * further lines indented under the first (see {@link TerminalText}); or one JSON object per line
 * with --json. When the profile holds several identities, text lines name which of ours sent or
 * received each message ("peer -> ours", "ours -> peer"). Our own messages show their delivery
 * state ("[delivered]"); peers are named by contact name where known, else by display name.
 */
final class MessagePrinter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final boolean json;
    private final boolean nameOurs;
    private final Function<PeerId, String> names;
    private final Function<PeerId, String> contacts;
    private final PrintStream out;

    /**
     * @param nameOurs whether to name our identity in text lines (the profile has several)
     * @param names how to call a peer: its contact name where the user gave one, else its display name
     */
    MessagePrinter(boolean json, boolean nameOurs, Function<PeerId, String> names) {
        this(json, nameOurs, names, peer -> null, InAgent.stdout());
    }

    /**
     * @param contacts a peer's contact name, or null where the user gave none (for the JSON field {@code contact})
     */
    MessagePrinter(boolean json, boolean nameOurs, Function<PeerId, String> names, Function<PeerId, String> contacts) {
        this(json, nameOurs, names, contacts, InAgent.stdout());
    }

    MessagePrinter(boolean json, boolean nameOurs, Function<PeerId, String> names, PrintStream out) {
        this(json, nameOurs, names, peer -> null, out);
    }

    MessagePrinter(boolean json, boolean nameOurs, Function<PeerId, String> names, Function<PeerId, String> contacts,
            PrintStream out) {
        this.json = json;
        this.nameOurs = nameOurs;
        this.names = names;
        this.contacts = contacts;
        this.out = out;
    }

    boolean json() {
        return json;
    }

    /** What {@link #print} prints for {@code m}, without the line end. */
    String format(Message m) {
        return json ? json(m) : text(m);
    }

    void print(Message m) {
        out.println(json ? json(m) : text(m));
        out.flush();
    }

    /** The text line(s) for {@code m}. */
    String text(Message m) {
        return text(m, null);
    }

    /**
     * The chat screen's line(s) for {@code m}: like {@link #text(Message)}, our messages with a
     * delivery mark from {@code marks} instead of the state in words.
     */
    String chatText(Message m, Function<MessageStatus, String> marks) {
        return text(m, marks);
    }

    private String text(Message m, Function<MessageStatus, String> marks) {
        boolean in = m.direction() == Direction.IN;
        String peer = names.apply(m.peer());
        String ours = nameOurs ? m.ourId().displayName().value() : "";
        String who = in ? peer + " -> " + ours : (nameOurs ? ours + " " : "") + "-> " + peer;
        StringBuilder prefix = new StringBuilder("[").append(TIME.format(m.createdAt())).append("] ")
                .append(who.strip());
        if (m.transport() != null) {
            prefix.append(" (").append(m.transport().name().toLowerCase(Locale.ROOT)).append(')');
        }
        if (!in && marks != null) {
            prefix.append(' ').append(marks.apply(m.status()));
        } else if (!in) {
            prefix.append(" [").append(state(m.status())).append(']');
        }
        return TerminalText.indent(prefix.append(": ").toString(), m.text());
    }

    /** An outgoing message's delivery state as shown: queued, sent, delivered, failed, cancelled. */
    static String state(MessageStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /** The JSON object for {@code m}: the text exact, escaped the JSON way. */
    String json(Message m) {
        boolean in = m.direction() == Direction.IN;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", m.id().hex());
        fields.put("from", (in ? m.peer() : m.ourId()).hex());
        fields.put("to", (in ? m.ourId() : m.peer()).hex());
        fields.put("peer", m.peer().hex());
        fields.put("contact", contacts.apply(m.peer()));
        fields.put("peerName", names.apply(m.peer()));
        fields.put("direction", in ? "in" : "out");
        fields.put("text", m.text());
        fields.put("sentAt", m.sentAt() == null ? null : m.sentAt().toString());
        fields.put("receivedAt", in ? m.createdAt().toString() : null);
        fields.put("via", m.transport() == null ? null : m.transport().name().toLowerCase(Locale.ROOT));
        fields.put("status", m.status().name().toLowerCase(Locale.ROOT));
        try {
            return TerminalText.JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
