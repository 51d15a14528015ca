package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.PendingHandshake;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.Store;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey sessions`: this profile's sessions and pending handshakes. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = {"List this profile's sessions (established, awaiting confirmation, closed, revoked) and the"
                + " handshakes still waiting for an answer.",
            "Each session belongs to one of the profile's identities: with --id, only that identity's are listed;"
                    + " without, all, naming ours when the profile has several."})
final class SessionsCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Only the sessions of this identity of the profile.")
    String identity;

    @Override
    public void run() {
        Output out = new Output(options.json);
        Profile profile = new Profile(options.home, false);
        PeerId only = identity == null ? null : profile.identity(identity);
        boolean nameOurs = only == null && profile.identities().size() > 1;
        try (Store store = Store.open(options.home.resolve(Store.FILE_NAME))) {
            List<SessionRecord> sessions = store.inTransactionReturning(tx -> tx.sessions()).stream()
                    .filter(s -> only == null || s.ourId().equals(only)).toList();
            List<PendingHandshake> pending = store.inTransactionReturning(tx -> tx.pendingHandshakes()).stream()
                    .filter(h -> only == null || h.ourId().equals(only)).toList();
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
                out.text(String.format("%s%-16s  %-16s  %s  since %s%s", ours(nameOurs, s.ourId()),
                        s.peer().displayName().value(),
                        s.status().name().toLowerCase().replace('_', '-'), s.sessionHex().substring(0, 18) + "…",
                        s.createdAt(), s.endpoint() == null ? "" : "  direct " + s.endpoint()));
            }
            for (PendingHandshake h : pending) {
                out.text(String.format("%s%-16s  %-16s  %s  expires %s", ours(nameOurs, h.ourId()),
                        h.peer().displayName().value(),
                        "awaiting-answer", h.requestHex().substring(0, 18) + "…", h.expiresAt()));
            }
        }
    }

    /** "ours -> " in front of the peer, when the profile has several identities. */
    private static String ours(boolean nameOurs, PeerId ourId) {
        return nameOurs ? ourId.displayName().value() + " -> " : "";
    }

    private static Map<String, Object> describe(SessionRecord s) {
        var fields = Output.fields();
        fields.put("sessionId", s.sessionHex());
        fields.put("ourId", s.ourId().hex());
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
        fields.put("ourId", h.ourId().hex());
        fields.put("peer", h.peer().hex());
        fields.put("name", h.peer().displayName().value());
        fields.put("expiresAt", h.expiresAt().toString());
        return fields;
    }
}
