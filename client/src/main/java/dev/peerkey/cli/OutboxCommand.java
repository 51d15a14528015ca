package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey outbox`: what this profile sent that has not been delivered. */
@Command(name = "outbox", mixinStandardHelpOptions = true,
        description = {"List the outgoing messages not delivered yet: queued (not handed to any route), sent"
                + " (waiting for the peer's acknowledgement), failed (refused for good, never retried) and cancelled.",
            "Each with its ID, peer, age, envelope size, state and the last delivery error. Queued and sent messages"
                    + " are resent by the next `send`, `inbox`, `chat` or `listen` once a minute old; `peerkey cancel"
                    + " ID` drops a queued or failed one.",
            "With --json: {\"messages\": [{id, from, to, kind, state, createdAt, ageSeconds, size, via, lastError}]}."})
final class OutboxCommand implements Runnable {
    /** More than anyone reads on a terminal; the oldest come first. */
    private static final int LIMIT = 10_000;

    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Only the messages of this identity of the profile.")
    String identity;

    @Override
    public void run() {
        Output out = new Output(options.json);
        Profile profile = new Profile(options.home, false);
        PeerId only = identity == null ? null : profile.identity(identity);
        boolean nameOurs = only == null && profile.identities().size() > 1;
        Instant now = Instant.now();
        List<Message> messages;
        try (Context ctx = new Context(options); Store store = ctx.openStore()) {
            messages = store.inTransactionReturning(tx -> tx.outbox(LIMIT)).stream()
                    .filter(m -> only == null || m.ourId().equals(only)).toList();
        }
        if (out.json()) {
            out.result(Map.of("messages", messages.stream().map(m -> describe(m, now)).toList()));
            return;
        }
        if (messages.isEmpty()) {
            out.progress("the outbox is empty: every message sent was delivered");
        }
        for (Message m : messages) {
            String who = (nameOurs ? m.ourId().displayName().value() + " " : "") + "-> "
                    + m.peer().displayName().value();
            out.text(String.format(Locale.ROOT, "%s  %s%s  %6s  %,7d B  %-9s%s", m.id().hex(), who,
                    m.kind() == MessageKind.TEXT ? "" : " (" + kind(m) + ")", age(Duration.between(m.createdAt(), now)),
                    m.envelope().length, state(m), m.error() == null ? "" : "  " + m.error()));
        }
    }

    static Map<String, Object> describe(Message m, Instant now) {
        var fields = Output.fields();
        fields.put("id", m.id().hex());
        fields.put("from", m.ourId().hex());
        fields.put("to", m.peer().hex());
        fields.put("kind", kind(m));
        fields.put("state", state(m));
        fields.put("createdAt", m.createdAt().toString());
        fields.put("ageSeconds", Math.max(0, Duration.between(m.createdAt(), now).toSeconds()));
        fields.put("size", m.envelope().length);
        fields.put("via", m.transport() == null ? null : m.transport().name().toLowerCase(Locale.ROOT));
        fields.put("lastError", m.error());
        return fields;
    }

    static String state(Message m) {
        return m.status().name().toLowerCase(Locale.ROOT);
    }

    private static String kind(Message m) {
        return m.kind().name().toLowerCase(Locale.ROOT);
    }

    /** "42s", "7m", "3h", "2d". */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86_400 ? s / 3600 + "h" : s / 86_400 + "d";
    }
}
