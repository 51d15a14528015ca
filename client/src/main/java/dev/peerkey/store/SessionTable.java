package dev.peerkey.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/** SQL for the sessions table. */
final class SessionTable {
    private static final String SELECT = "SELECT session_id, our_id, peer_id, status, state, endpoint,"
            + " created_at, updated_at FROM sessions ";
    private static final String ESTABLISHED = Bytes.code(SessionStatus.ESTABLISHED);

    private SessionTable() {
    }

    static SessionRecord save(Sql sql, long now, byte[] sessionId, PeerId ourId, PeerId peer,
            SessionStatus status, byte[] state, String endpoint) {
        Optional<SessionRecord> existing = byId(sql, sessionId);
        if (existing.isPresent() && !(existing.get().ourId().equals(ourId) && existing.get().peer().equals(peer))) {
            throw new StoreException("session " + Bytes.hex(sessionId) + " belongs to another pair of identities");
        }
        long createdAt = existing.map(s -> s.createdAt().toEpochMilli()).orElse(now);
        if (status == SessionStatus.ESTABLISHED) {
            // Newest wins: a session created later than this one keeps its place.
            boolean newerExists = sql.exists("SELECT 1 FROM sessions WHERE our_id = ? AND peer_id = ?"
                    + " AND status = ? AND session_id <> ? AND created_at > ?",
                    ourId.bytes(), peer.bytes(), ESTABLISHED, sessionId, createdAt);
            if (newerExists) {
                status = SessionStatus.CLOSED;
            } else {
                sql.update("UPDATE sessions SET status = ?, updated_at = ? WHERE our_id = ? AND peer_id = ?"
                        + " AND status = ? AND session_id <> ?",
                        Bytes.code(SessionStatus.CLOSED), now, ourId.bytes(), peer.bytes(), ESTABLISHED, sessionId);
            }
        }
        sql.update("INSERT INTO sessions (session_id, our_id, peer_id, status, state, endpoint, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
                + " status = excluded.status, state = excluded.state, endpoint = excluded.endpoint,"
                + " updated_at = excluded.updated_at",
                sessionId, ourId.bytes(), peer.bytes(), Bytes.code(status), state, endpoint, createdAt, now);
        return byId(sql, sessionId).orElseThrow();
    }

    static void saveState(Sql sql, long now, byte[] sessionId, byte[] state) {
        int n = sql.update("UPDATE sessions SET state = ?, updated_at = ? WHERE session_id = ?", state, now, sessionId);
        if (n == 0) {
            throw missing(sessionId);
        }
    }

    static Optional<SessionRecord> established(Sql sql, PeerId ourId, PeerId peer) {
        return sql.one(SELECT + "WHERE our_id = ? AND peer_id = ? AND status = ? ORDER BY created_at DESC LIMIT 1",
                SessionTable::row, ourId.bytes(), peer.bytes(), ESTABLISHED);
    }

    static Optional<SessionRecord> byId(Sql sql, byte[] sessionId) {
        return sql.one(SELECT + "WHERE session_id = ?", SessionTable::row, sessionId);
    }

    static List<SessionRecord> all(Sql sql) {
        return sql.list(SELECT + "ORDER BY created_at DESC, rowid DESC", SessionTable::row);
    }

    static void requireExists(Sql sql, byte[] sessionId) {
        if (!sql.exists("SELECT 1 FROM sessions WHERE session_id = ?", sessionId)) {
            throw missing(sessionId);
        }
    }

    private static StoreException missing(byte[] sessionId) {
        return new StoreException("no session " + Bytes.hex(sessionId) + " in this profile");
    }

    private static SessionRecord row(ResultSet rs) throws SQLException {
        return new SessionRecord(rs.getBytes("session_id"), PeerId.of(rs.getBytes("our_id")),
                PeerId.of(rs.getBytes("peer_id")), Bytes.decode(SessionStatus.class, rs.getString("status")),
                rs.getBytes("state"), rs.getString("endpoint"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at"));
    }
}
