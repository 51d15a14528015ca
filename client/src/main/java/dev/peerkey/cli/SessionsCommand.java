package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.PendingHandshake;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.Tx;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey sessions`: this profile's sessions and pending handshakes. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = {"List this profile's sessions (established, awaiting confirmation, closed, revoked) and the"
                + " handshakes still waiting for an answer, each with the number of the peer's registry key it was"
                + " made with.",
            "Each session belongs to one of the profile's identities: with --id, only that identity's are listed;"
                    + " without, all, naming ours when the profile has several.",
            "\"key changed\" marks an open session made with another key of the peer than the one you accepted"
                    + " (the peer authenticated with a new key): nothing is sent on it until you run"
                    + " `peerkey auth PEER`. A session closed because the peer's key changed or its identity was"
                    + " revoked shows as revoked.",
            "Asks for the password: endpoints are sealed at rest."})
final class SessionsCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Only the sessions of this identity of the profile.")
    String identity;

    /** A session with the peer's key it was made with, and whether that is the key the user accepted. */
    private record Row(SessionRecord session, OptionalInt keyIndex, boolean keyChanged) { }

    @Override
    public void run() {
        Profile profile = new Profile(options.home, false);
        PeerId only = identity == null ? null : profile.identity(identity);
        boolean nameOurs = only == null && profile.identities().size() > 1;
        try (Context ctx = new Context(options); Store store = ctx.openStore()) {
            Output out = ctx.out;
            List<Row> sessions = store.inTransactionReturning(tx -> tx.sessions().stream()
                    .filter(s -> only == null || s.ourId().equals(only))
                    .map(s -> row(tx, s)).toList());
            List<PendingHandshake> pending = store.inTransactionReturning(tx -> tx.pendingHandshakes()).stream()
                    .filter(h -> only == null || h.ourId().equals(only)).toList();
            List<OptionalInt> pendingKeys = store.inTransactionReturning(tx -> pending.stream()
                    .map(h -> tx.peerKeyIndex(h.requestId())).toList());
            List<Map<String, Object>> rows = sessions.stream().map(SessionsCommand::describe).toList();
            List<Map<String, Object>> waiting = new java.util.ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                waiting.add(describe(pending.get(i), pendingKeys.get(i)));
            }
            if (out.json()) {
                out.result(Map.of("sessions", rows, "pendingHandshakes", waiting));
                return;
            }
            if (rows.isEmpty() && waiting.isEmpty()) {
                out.progress("no sessions yet: start one with `peerkey auth PEER`");
            }
            for (Row r : sessions) {
                SessionRecord s = r.session();
                out.text(String.format("%s%-16s  %-16s  %s  %-7s  since %s%s%s", ours(nameOurs, s.ourId()),
                        s.peer().displayName().value(),
                        s.status().name().toLowerCase().replace('_', '-'), s.sessionHex().substring(0, 18) + "…",
                        key(r.keyIndex()), s.createdAt(), s.endpoint() == null ? "" : "  direct " + s.endpoint(),
                        r.keyChanged() ? "  key changed: run `peerkey auth " + s.peer().displayName().value() + "`"
                                : ""));
            }
            for (int i = 0; i < pending.size(); i++) {
                PendingHandshake h = pending.get(i);
                out.text(String.format("%s%-16s  %-16s  %s  %-7s  expires %s", ours(nameOurs, h.ourId()),
                        h.peer().displayName().value(),
                        "awaiting-answer", h.requestHex().substring(0, 18) + "…", key(pendingKeys.get(i)),
                        h.expiresAt()));
            }
        }
    }

    /** "ours -> " in front of the peer, when the profile has several identities. */
    private static String ours(boolean nameOurs, PeerId ourId) {
        return nameOurs ? ourId.displayName().value() + " -> " : "";
    }

    private static Row row(Tx tx, SessionRecord s) {
        OptionalInt keyIndex = tx.peerKeyIndex(s.sessionId());
        OptionalInt accepted = tx.acceptedPeerKey(s.ourId(), s.peer());
        boolean open = s.status() == SessionStatus.ESTABLISHED || s.status() == SessionStatus.PENDING_INCOMING;
        boolean changed = open && keyIndex.isPresent() && accepted.isPresent()
                && keyIndex.getAsInt() != accepted.getAsInt();
        return new Row(s, keyIndex, changed);
    }

    private static String key(OptionalInt index) {
        return index.isPresent() ? "key #" + index.getAsInt() : "key ?";
    }

    private static Map<String, Object> describe(Row r) {
        SessionRecord s = r.session();
        var fields = Output.fields();
        fields.put("sessionId", s.sessionHex());
        fields.put("ourId", s.ourId().hex());
        fields.put("peer", s.peer().hex());
        fields.put("name", s.peer().displayName().value());
        fields.put("status", s.status().name().toLowerCase());
        fields.put("peerKeyIndex", r.keyIndex().isPresent() ? r.keyIndex().getAsInt() : null);
        fields.put("keyChanged", r.keyChanged());
        fields.put("endpoint", s.endpoint());
        fields.put("createdAt", s.createdAt().toString());
        return fields;
    }

    private static Map<String, Object> describe(PendingHandshake h, OptionalInt keyIndex) {
        var fields = Output.fields();
        fields.put("requestId", h.requestHex());
        fields.put("ourId", h.ourId().hex());
        fields.put("peer", h.peer().hex());
        fields.put("name", h.peer().displayName().value());
        fields.put("peerKeyIndex", keyIndex.isPresent() ? keyIndex.getAsInt() : null);
        fields.put("expiresAt", h.expiresAt().toString());
        return fields;
    }
}
