package dev.peerkey.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/**
 * SQL for the sessions table. The ratchet state and the peer's endpoint are sealed under the store
 * key, bound to the session ID. A revoked session's state is dropped when it is saved, a closed
 * one's once {@link Tx#CLOSED_SESSION_GRACE} has passed (see {@link #wipeEnded}).
 */
final class SessionTable {
    private static final String SELECT = "SELECT session_id, our_id, peer_id, status, state, endpoint,"
            + " created_at, updated_at FROM sessions ";
    private static final String ESTABLISHED = Bytes.code(SessionStatus.ESTABLISHED);
    private static final String CLOSED = Bytes.code(SessionStatus.CLOSED);
    private static final String REVOKED = Bytes.code(SessionStatus.REVOKED);

    private SessionTable() {
    }

    static SessionRecord save(Sql sql, long now, byte[] sessionId, PeerId ourId, PeerId peer,
            SessionStatus status, byte[] state, String endpoint) {
        Optional<SessionRecord> existing = byId(sql, sessionId);
        if (existing.isPresent() && !(existing.get().ourId().equals(ourId) && existing.get().peer().equals(peer))) {
            throw new StoreException("session " + Bytes.hex(sessionId) + " belongs to another pair of identities");
        }
        long createdAt = existing.map(s -> s.createdAt().toEpochMilli()).orElse(now);
        if (status == SessionStatus.REVOKED) {
            state = null; // nothing may be decrypted or sent on it again
        }
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
                sessionId, ourId.bytes(), peer.bytes(), Bytes.code(status),
                sql.seal(SealedColumn.SESSION_STATE, sessionId, state),
                sql.sealText(SealedColumn.SESSION_ENDPOINT, sessionId, endpoint), createdAt, now);
        return byId(sql, sessionId).orElseThrow();
    }

    static void saveState(Sql sql, long now, byte[] sessionId, byte[] state) {
        int n = sql.update("UPDATE sessions SET state = ?, updated_at = ? WHERE session_id = ?",
                sql.seal(SealedColumn.SESSION_STATE, sessionId, state), now, sessionId);
        if (n == 0) {
            throw missing(sessionId);
        }
    }

    /**
     * Drops the ratchet states no session can use any more: revoked sessions', and those of
     * sessions closed (superseded) before {@code closedBefore}. Returns how many.
     */
    static int wipeEnded(Sql sql, long closedBefore) {
        return sql.update("UPDATE sessions SET state = NULL WHERE state IS NOT NULL"
                + " AND (status = ? OR (status = ? AND updated_at < ?))", REVOKED, CLOSED, closedBefore);
    }

    /**
     * Closes a session for good: status CLOSED (REVOKED stays), ratchet state wiped, route deleted
     * (its tag is no longer followed), and our messages on it that never arrived marked FAILED.
     */
    static void closeForGood(Sql sql, long now, byte[] sessionId) {
        sql.update("UPDATE sessions SET status = CASE status WHEN ? THEN status ELSE ? END, state = NULL,"
                + " updated_at = ? WHERE session_id = ?", Bytes.code(SessionStatus.REVOKED),
                Bytes.code(SessionStatus.CLOSED), now, sessionId);
        sql.update("DELETE FROM session_routes WHERE session_id = ?", sessionId);
        sql.update("UPDATE messages SET status = ? WHERE session_id = ? AND direction = ? AND status IN (?, ?)",
                Bytes.code(MessageStatus.FAILED), sessionId, Bytes.code(Direction.OUT),
                Bytes.code(MessageStatus.QUEUED), Bytes.code(MessageStatus.SENT));
    }

    static List<byte[]> idsWith(Sql sql, PeerId ourId, PeerId peer) {
        return sql.list("SELECT session_id FROM sessions WHERE our_id = ? AND peer_id = ?", rs -> rs.getBytes(1),
                ourId.bytes(), peer.bytes());
    }

    static List<byte[]> unconfirmedIncomingBefore(Sql sql, long cutoff) {
        return sql.list("SELECT session_id FROM sessions WHERE status = ? AND created_at < ?", rs -> rs.getBytes(1),
                Bytes.code(SessionStatus.PENDING_INCOMING), cutoff);
    }

    /** Deletes a never-established outgoing session that nothing refers to; false if it is in use. */
    static boolean deleteIfUnused(Sql sql, byte[] sessionId) {
        return sql.update("DELETE FROM sessions WHERE session_id = ? AND status = ? AND state IS NULL"
                + " AND NOT EXISTS (SELECT 1 FROM messages WHERE session_id = ?)"
                + " AND NOT EXISTS (SELECT 1 FROM session_routes WHERE session_id = ?)", sessionId,
                Bytes.code(SessionStatus.PENDING_OUTGOING), sessionId, sessionId) > 0;
    }

    static Optional<SessionRecord> established(Sql sql, PeerId ourId, PeerId peer) {
        return sql.one(SELECT + "WHERE our_id = ? AND peer_id = ? AND status = ? ORDER BY created_at DESC LIMIT 1",
                rs -> row(sql, rs), ourId.bytes(), peer.bytes(), ESTABLISHED);
    }

    static Optional<SessionRecord> byId(Sql sql, byte[] sessionId) {
        return sql.one(SELECT + "WHERE session_id = ?", rs -> row(sql, rs), sessionId);
    }

    static List<SessionRecord> all(Sql sql) {
        return sql.list(SELECT + "ORDER BY created_at DESC, rowid DESC", rs -> row(sql, rs));
    }

    static void requireExists(Sql sql, byte[] sessionId) {
        if (!sql.exists("SELECT 1 FROM sessions WHERE session_id = ?", sessionId)) {
            throw missing(sessionId);
        }
    }

    private static StoreException missing(byte[] sessionId) {
        return new StoreException("no session " + Bytes.hex(sessionId) + " in this profile");
    }

    private static SessionRecord row(Sql sql, ResultSet rs) throws SQLException {
        byte[] id = rs.getBytes("session_id");
        return new SessionRecord(id, PeerId.of(rs.getBytes("our_id")),
                PeerId.of(rs.getBytes("peer_id")), Bytes.decode(SessionStatus.class, rs.getString("status")),
                sql.open(SealedColumn.SESSION_STATE, id, rs.getBytes("state")),
                sql.openText(SealedColumn.SESSION_ENDPOINT, id, rs.getString("endpoint")), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at"));
    }
}
