package dev.peerkey.store;

import dev.peerkey.identity.PeerId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL for the owed_acks table: acknowledgements owed to peers and not sent yet. */
final class OwedAckTable {
    private OwedAckTable() {
    }

    /** Notes {@code ids} as owed on the session since {@code since} (an ID owed already keeps its older time). */
    static void owe(Sql sql, long since, byte[] sessionId, List<MessageId> ids) {
        for (MessageId id : ids) {
            sql.update("INSERT INTO owed_acks (session_id, message_id, owed_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (session_id, message_id) DO UPDATE SET owed_at = MIN(owed_at, excluded.owed_at)",
                    sessionId, id.bytes(), since);
        }
    }

    /** Takes (deletes and returns) everything owed on one session, oldest first. */
    static List<MessageId> take(Sql sql, byte[] sessionId) {
        List<MessageId> ids = sql.list("SELECT message_id FROM owed_acks WHERE session_id = ? ORDER BY owed_at",
                rs -> MessageId.of(rs.getBytes(1)), sessionId);
        sql.update("DELETE FROM owed_acks WHERE session_id = ?", sessionId);
        return ids;
    }

    /**
     * Takes everything owed on {@code ourId}'s sessions whose oldest owed acknowledgement dates
     * from {@code before} or earlier; by session, oldest session first.
     */
    static Map<ByteBuffer, List<MessageId>> takeDue(Sql sql, PeerId ourId, long before) {
        // A session that ended (blocked, revoked, superseded and wiped) has no ratchet to encrypt an
        // acknowledgement with: what it owed is dropped, silently, as a block must be.
        sql.update("DELETE FROM owed_acks WHERE session_id IN (SELECT session_id FROM sessions"
                + " WHERE our_id = ? AND state IS NULL)", ourId.bytes());
        List<byte[]> sessions = sql.list("SELECT o.session_id FROM owed_acks o JOIN sessions s"
                + " ON s.session_id = o.session_id WHERE s.our_id = ? GROUP BY o.session_id"
                + " HAVING MIN(o.owed_at) <= ? ORDER BY MIN(o.owed_at)", rs -> rs.getBytes(1), ourId.bytes(), before);
        Map<ByteBuffer, List<MessageId>> due = new LinkedHashMap<>();
        for (byte[] session : sessions) {
            due.put(ByteBuffer.wrap(session), new ArrayList<>(take(sql, session)));
        }
        return due;
    }

    /** How many acknowledgements {@code ourId} owes. */
    static int count(Sql sql, PeerId ourId) {
        return sql.one("SELECT COUNT(*) FROM owed_acks o JOIN sessions s ON s.session_id = o.session_id"
                + " WHERE s.our_id = ?", rs -> rs.getInt(1), ourId.bytes()).orElse(0);
    }
}
