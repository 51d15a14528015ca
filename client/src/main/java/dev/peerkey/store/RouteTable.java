package dev.peerkey.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/** SQL for the session_routes table. The endpoint we advertised is sealed, bound to the session ID; the tags stay in clear for lookups. */
final class RouteTable {
    private static final String SELECT = "SELECT session_id, inbox_tag, outbox_tag, confirmation, advertised"
            + " FROM session_routes ";

    private RouteTable() {
    }

    static void insert(Sql sql, SessionRoute route) {
        SessionTable.requireExists(sql, route.sessionId());
        if (byInboxTag(sql, route.inboxTag()).isPresent() || get(sql, route.sessionId()).isPresent()) {
            throw new StoreException("session " + Bytes.hex(route.sessionId()) + " or its inbox tag is already routed");
        }
        sql.update("INSERT INTO session_routes (session_id, inbox_tag, outbox_tag, confirmation, advertised)"
                + " VALUES (?, ?, ?, ?, ?)", route.sessionId(), route.inboxTag(), route.outboxTag(),
                route.confirmation(), sql.sealText(SealedColumn.ROUTE_ADVERTISED, route.sessionId(), route.advertised()));
    }

    static Optional<SessionRoute> get(Sql sql, byte[] sessionId) {
        return sql.one(SELECT + "WHERE session_id = ?", rs -> row(sql, rs), sessionId);
    }

    static Optional<SessionRoute> byInboxTag(Sql sql, byte[] tag) {
        return sql.one(SELECT + "WHERE inbox_tag = ?", rs -> row(sql, rs), tag);
    }

    /**
     * Inbox tags of {@code ourId}'s sessions that may still receive: established ones, ones
     * awaiting key confirmation, and ones closed (superseded) since {@code closedSince}, for late
     * messages.
     */
    static List<byte[]> inboxTags(Sql sql, PeerId ourId, long closedSince) {
        return sql.list("SELECT r.inbox_tag FROM session_routes r JOIN sessions s ON s.session_id = r.session_id"
                + " WHERE s.our_id = ? AND (s.status IN (?, ?) OR (s.status = ? AND s.updated_at >= ?))"
                + " ORDER BY s.created_at", rs -> rs.getBytes(1), ourId.bytes(), Bytes.code(SessionStatus.ESTABLISHED),
                Bytes.code(SessionStatus.PENDING_INCOMING), Bytes.code(SessionStatus.CLOSED), closedSince);
    }

    static boolean confirm(Sql sql, byte[] sessionId) {
        return sql.update("UPDATE session_routes SET confirmation = NULL WHERE session_id = ?"
                + " AND confirmation IS NOT NULL", sessionId) > 0;
    }

    static void setAdvertised(Sql sql, byte[] sessionId, String endpoint) {
        sql.update("UPDATE session_routes SET advertised = ? WHERE session_id = ?",
                sql.sealText(SealedColumn.ROUTE_ADVERTISED, sessionId, endpoint), sessionId);
    }

    /** Sets the key a session's mailbox tags change under (once, when the route is made). */
    static void setMailboxKey(Sql sql, byte[] sessionId, byte[] key) {
        if (sql.update("UPDATE session_routes SET sealed_mailbox_key = ? WHERE session_id = ?",
                sql.seal(SealedColumn.ROUTE_MAILBOX_KEY, sessionId, key), sessionId) != 1) {
            throw new StoreException("session " + Bytes.hex(sessionId) + " has no route");
        }
    }

    static Optional<byte[]> mailboxKey(Sql sql, byte[] sessionId) {
        return sql.one("SELECT sealed_mailbox_key FROM session_routes WHERE session_id = ?"
                + " AND sealed_mailbox_key IS NOT NULL",
                rs -> sql.open(SealedColumn.ROUTE_MAILBOX_KEY, sessionId, rs.getBytes(1)), sessionId);
    }

    private static SessionRoute row(Sql sql, ResultSet rs) throws SQLException {
        byte[] id = rs.getBytes("session_id");
        return new SessionRoute(id, rs.getBytes("inbox_tag"), rs.getBytes("outbox_tag"),
                rs.getBytes("confirmation"), sql.openText(SealedColumn.ROUTE_ADVERTISED, id, rs.getString("advertised")));
    }
}
