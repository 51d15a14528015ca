package dev.peerkey.cli;

import dev.peerkey.store.PendingHandshake;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.Store;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey sessions`: this profile's sessions and pending handshakes. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "List this profile's sessions (established, awaiting confirmation, closed, revoked) and the"
                + " handshakes still waiting for an answer. Asks for the password: endpoints are sealed at rest.")
final class SessionsCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Override
    public void run() {
        try (Context ctx = new Context(options); Store store = ctx.openStore()) {
            Output out = ctx.out;
            List<SessionRecord> sessions = store.inTransactionReturning(tx -> tx.sessions());
            List<PendingHandshake> pending = store.inTransactionReturning(tx -> tx.pendingHandshakes());
            List<Map<String, Object>> rows = sessions.stream().map(SessionsCommand::describe).toList();
            List<Map<String, Object>> waiting = pending.stream().map(SessionsCommand::describe).toList();
            if (out.json()) {
                out.result(Map.of("sessions", rows, "pendingHandshakes", waiting));
                return;
            }
            if (rows.isEmpty() && waiting.isEmpty()) {
                out.progress("no sessions yet: start one with `peerkey auth PEER`");
            }
            for (SessionRecord s : sessions) {
                out.text(String.format("%-16s  %-16s  %s  since %s%s", s.peer().displayName().value(),
                        s.status().name().toLowerCase().replace('_', '-'), s.sessionHex().substring(0, 18) + "…",
                        s.createdAt(), s.endpoint() == null ? "" : "  direct " + s.endpoint()));
            }
            for (PendingHandshake h : pending) {
                out.text(String.format("%-16s  %-16s  %s  expires %s", h.peer().displayName().value(),
                        "awaiting-answer", h.requestHex().substring(0, 18) + "…", h.expiresAt()));
            }
        }
    }

    private static Map<String, Object> describe(SessionRecord s) {
        var fields = Output.fields();
        fields.put("sessionId", s.sessionHex());
        fields.put("peer", s.peer().hex());
        fields.put("name", s.peer().displayName().value());
        fields.put("status", s.status().name().toLowerCase());
        fields.put("endpoint", s.endpoint());
        fields.put("createdAt", s.createdAt().toString());
        return fields;
    }

    private static Map<String, Object> describe(PendingHandshake h) {
        var fields = Output.fields();
        fields.put("requestId", h.requestHex());
        fields.put("peer", h.peer().hex());
        fields.put("name", h.peer().displayName().value());
        fields.put("expiresAt", h.expiresAt().toString());
        return fields;
    }
}
