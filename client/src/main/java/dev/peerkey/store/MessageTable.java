package dev.peerkey.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/**
 * SQL for the messages and seen_envelopes tables. Body, envelope and the last delivery error are
 * sealed under the store key, bound to the message ID; an incoming message also keeps its envelope's hash in clear, so
 * that a redelivery finds it.
 */
final class MessageTable {
    private static final String SELECT = "SELECT m.seq, m.id, m.session_id, s.our_id, s.peer_id, m.direction,"
            + " m.status, m.body, m.envelope, m.transport, m.created_at, m.sent_at, m.delivered_at, m.kind, m.error,"
            + " m.cancelled_at FROM messages m JOIN sessions s ON s.session_id = m.session_id ";
    private static final String OUT = Bytes.code(Direction.OUT);
    private static final String QUEUED = Bytes.code(MessageStatus.QUEUED);
    private static final String SENT = Bytes.code(MessageStatus.SENT);
    private static final String DELIVERED = Bytes.code(MessageStatus.DELIVERED);
    private static final String FAILED = Bytes.code(MessageStatus.FAILED);

    private MessageTable() {
    }

    static Message insertOutgoing(Sql sql, long now, byte[] sessionId, MessageId id, MessageKind kind, byte[] body,
            byte[] envelope) {
        SessionTable.requireExists(sql, sessionId);
        if (get(sql, id).isPresent()) {
            throw new StoreException("message " + id + " is already stored; pick a fresh MessageId.random()");
        }
        sql.update("INSERT INTO messages (id, session_id, direction, status, body, envelope, created_at, kind)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id.bytes(), sessionId, OUT, QUEUED,
                sql.seal(SealedColumn.MESSAGE_BODY, id.bytes(), body),
                sql.seal(SealedColumn.MESSAGE_ENVELOPE, id.bytes(), envelope), now, Bytes.code(kind));
        return get(sql, id).orElseThrow();
    }

    static boolean insertIncoming(Sql sql, long now, byte[] sessionId, MessageId id, byte[] body,
            byte[] envelope, Transport transport, Instant sentAt) {
        SessionTable.requireExists(sql, sessionId);
        byte[] hash = sha256(envelope);
        // A known ID is the same message again (resent in a new envelope): still exactly once.
        if (seenHash(sql, hash) || get(sql, id).isPresent()) {
            return false;
        }
        markSeen(sql, now, hash);
        sql.update("INSERT INTO messages (id, session_id, direction, status, body, envelope, envelope_hash, transport,"
                + " created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id.bytes(), sessionId,
                Bytes.code(Direction.IN), Bytes.code(MessageStatus.RECEIVED),
                sql.seal(SealedColumn.MESSAGE_BODY, id.bytes(), body),
                sql.seal(SealedColumn.MESSAGE_ENVELOPE, id.bytes(), envelope), hash, Bytes.code(transport), now,
                Sql.millis(sentAt));
        return true;
    }

    static boolean seen(Sql sql, byte[] envelope) {
        return seenHash(sql, sha256(envelope));
    }

    /** Remembers an accepted envelope that carries no stored message (an acknowledgement, say). */
    static boolean markSeen(Sql sql, long now, byte[] hash) {
        return sql.update("INSERT INTO seen_envelopes (hash, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                hash, now) > 0;
    }

    /** Remembers an accepted control envelope and the message ID it carried, to acknowledge a copy again. */
    static boolean markSeen(Sql sql, long now, byte[] hash, MessageId id) {
        return sql.update("INSERT INTO seen_envelopes (hash, seen_at, message_id) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING", hash, now, id.bytes()) > 0;
    }

    /**
     * The message ID an accepted envelope carried: the incoming message stored from it, or the
     * control packet recorded with it; empty for an envelope not seen, or seen before v10.
     */
    static Optional<MessageId> seenMessageId(Sql sql, byte[] envelope) {
        byte[] hash = sha256(envelope);
        Optional<MessageId> control = sql.one("SELECT message_id FROM seen_envelopes WHERE hash = ?"
                + " AND message_id IS NOT NULL", rs -> MessageId.of(rs.getBytes("message_id")), hash);
        if (control.isPresent()) {
            return control;
        }
        return sql.one("SELECT id FROM messages WHERE direction = ? AND envelope_hash = ?",
                rs -> MessageId.of(rs.getBytes("id")), Bytes.code(Direction.IN), hash);
    }

    /**
     * The message ID to acknowledge again for a mailbox copy of an accepted envelope, unless a
     * copy of it was acknowledged again less than {@code gapMillis} ago; records this one.
     */
    static Optional<MessageId> acknowledgeCopy(Sql sql, long now, byte[] envelope, long gapMillis) {
        Optional<MessageId> id = seenMessageId(sql, envelope);
        if (id.isEmpty()) {
            return id;
        }
        boolean due = sql.update("UPDATE seen_envelopes SET reacked_at = ? WHERE hash = ?"
                + " AND (reacked_at IS NULL OR reacked_at <= ?)", now, sha256(envelope), now - gapMillis) > 0;
        return due ? id : Optional.empty();
    }

    /** Records the answer an accepted envelope got on a direct connection. */
    static void setReply(Sql sql, byte[] hash, byte[] reply) {
        // coalesce: the driver may bind an empty array as NULL, and NULL means "no direct answer".
        if (sql.update("UPDATE seen_envelopes SET reply = coalesce(?, zeroblob(0)) WHERE hash = ?",
                sql.seal(SealedColumn.SEEN_REPLY, hash, reply), hash) != 1) {
            throw new StoreException("cannot record the answer to an envelope that was not accepted");
        }
    }

    /** The answer an accepted envelope got on a direct connection, if it came that way. */
    static Optional<byte[]> reply(Sql sql, byte[] hash) {
        return sql.one("SELECT reply FROM seen_envelopes WHERE hash = ? AND reply IS NOT NULL",
                rs -> sql.open(SealedColumn.SEEN_REPLY, hash, rs.getBytes("reply")), hash);
    }

    /** The incoming message that arrived in exactly this envelope, if any. */
    static Optional<Message> incomingByEnvelope(Sql sql, byte[] envelope) {
        return sql.one(SELECT + "WHERE m.direction = ? AND m.envelope_hash = ?", rs -> row(sql, rs),
                Bytes.code(Direction.IN), sha256(envelope));
    }

    static Optional<Message> get(Sql sql, MessageId id) {
        return sql.one(SELECT + "WHERE m.id = ?", rs -> row(sql, rs), id.bytes());
    }

    /** The newest {@code limit} messages with {@code peer}, oldest first. */
    static List<Message> withPeer(Sql sql, PeerId peer, int limit) {
        requirePositive(limit);
        List<Message> newestFirst = sql.list(SELECT + "WHERE s.peer_id = ? ORDER BY m.seq DESC LIMIT ?",
                rs -> row(sql, rs), peer.bytes(), limit);
        return newestFirst.reversed();
    }

    /** Up to {@code limit} messages stored after {@code seq}, in order: what a follower has not shown yet. */
    static List<Message> after(Sql sql, long seq, int limit) {
        requirePositive(limit);
        return sql.list(SELECT + "WHERE m.seq > ? ORDER BY m.seq LIMIT ?", rs -> row(sql, rs), seq, limit);
    }

    /**
     * The newest {@code limit} chat messages that pass {@code filter}, oldest first (see
     * {@link Tx#history}).
     */
    static List<Message> history(Sql sql, History filter) {
        requirePositive(filter.limit());
        StringBuilder where = new StringBuilder("WHERE m.kind = ?");
        List<Object> args = new java.util.ArrayList<>(List.of(Bytes.code(MessageKind.TEXT)));
        if (filter.ourId() != null) {
            where.append(" AND s.our_id = ?");
            args.add(filter.ourId().bytes());
        }
        if (filter.peer() != null) {
            where.append(" AND s.peer_id = ?");
            args.add(filter.peer().bytes());
        }
        if (filter.since() != null) {
            where.append(" AND m.created_at >= ?");
            args.add(filter.since().toEpochMilli());
        }
        if (filter.unreadOnly()) {
            where.append(" AND m.direction = ? AND m.read_at IS NULL");
            args.add(Bytes.code(Direction.IN));
        } else if (!filter.outgoing()) {
            where.append(" AND m.direction = ?");
            args.add(Bytes.code(Direction.IN));
        }
        args.add(filter.limit());
        List<Message> newestFirst = sql.list(SELECT + where + " ORDER BY m.seq DESC LIMIT ?", rs -> row(sql, rs),
                args.toArray());
        return newestFirst.reversed();
    }

    /** Marks these incoming messages read (when first shown); returns how many were unread. */
    static int markRead(Sql sql, long now, MessageId id) {
        return sql.update("UPDATE messages SET read_at = ? WHERE id = ? AND direction = ? AND read_at IS NULL", now,
                id.bytes(), Bytes.code(Direction.IN));
    }

    /** Whether the incoming message {@code id} was shown; false for an unknown or outgoing one. */
    static boolean isRead(Sql sql, MessageId id) {
        return sql.exists("SELECT 1 FROM messages WHERE id = ? AND direction = ? AND read_at IS NOT NULL", id.bytes(),
                Bytes.code(Direction.IN));
    }

    static long lastSeq(Sql sql) {
        return sql.one("SELECT COALESCE(MAX(seq), 0) FROM messages", rs -> rs.getLong(1)).orElse(0L);
    }

    static List<Message> undelivered(Sql sql, int limit) {
        requirePositive(limit);
        return sql.list(SELECT + "WHERE m.direction = ? AND m.status IN (?, ?) ORDER BY m.seq LIMIT ?",
                rs -> row(sql, rs), OUT, QUEUED, SENT, limit);
    }

    /** The resend queue of one of our identities: only its sessions' messages. */
    static List<Message> undelivered(Sql sql, PeerId ourId, int limit) {
        requirePositive(limit);
        return sql.list(SELECT + "WHERE m.direction = ? AND m.status IN (?, ?) AND s.our_id = ? ORDER BY m.seq LIMIT ?",
                rs -> row(sql, rs), OUT, QUEUED, SENT, ourId.bytes(), limit);
    }

    /** Outgoing messages not delivered: queued, sent and unacknowledged, failed, cancelled; oldest first. */
    static List<Message> outbox(Sql sql, int limit) {
        requirePositive(limit);
        return sql.list(SELECT + "WHERE m.direction = ? AND m.status <> ? ORDER BY m.seq LIMIT ?", rs -> row(sql, rs),
                OUT, DELIVERED, limit);
    }

    /**
     * Our chat messages to {@code peer} that ride on handshake requests not answered yet (sessions
     * still pending, never established) and have not arrived: what the next request carries.
     */
    static List<Message> carried(Sql sql, PeerId ourId, PeerId peer) {
        return sql.list(SELECT + "WHERE s.our_id = ? AND s.peer_id = ? AND s.status = ? AND s.state IS NULL"
                + " AND m.direction = ? AND m.kind = ? AND m.status IN (?, ?) ORDER BY m.seq", rs -> row(sql, rs),
                ourId.bytes(), peer.bytes(), Bytes.code(SessionStatus.PENDING_OUTGOING), OUT,
                Bytes.code(MessageKind.TEXT), QUEUED, SENT);
    }

    /** Moves an outgoing message to another session (a newer request that carries it). */
    static boolean move(Sql sql, MessageId id, byte[] sessionId) {
        SessionTable.requireExists(sql, sessionId);
        return sql.update("UPDATE messages SET session_id = ? WHERE id = ? AND direction = ?", sessionId, id.bytes(),
                OUT) > 0;
    }

    /** Marks the chat messages a request carried as delivered: the peer accepted the request. */
    static int markCarriedDelivered(Sql sql, long now, byte[] sessionId) {
        return sql.update("UPDATE messages SET status = ?, delivered_at = ? WHERE session_id = ? AND direction = ?"
                + " AND kind = ? AND status IN (?, ?)", DELIVERED, now, sessionId, OUT, Bytes.code(MessageKind.TEXT),
                QUEUED, SENT);
    }

    /** A cancelled message stays cancelled: a send racing the cancellation does not revive it. */
    static boolean markSent(Sql sql, long now, MessageId id, Transport transport) {
        return sql.update("UPDATE messages SET status = ?, transport = ?, sent_at = ?, error = NULL WHERE id = ?"
                + " AND direction = ? AND status IN (?, ?, ?) AND cancelled_at IS NULL", SENT, Bytes.code(transport),
                now, id.bytes(), OUT, QUEUED, SENT, FAILED) > 0;
    }

    /**
     * Records the mailbox post that carried an outgoing message (or, {@code txHash} null, that it
     * last went by another transport).
     */
    static boolean recordPost(Sql sql, MessageId id, byte[] txHash, Long block) {
        return sql.update("UPDATE messages SET post_tx = ?, post_block = ? WHERE id = ? AND direction = ?", txHash,
                block, id.bytes(), OUT) > 0;
    }

    /** The mailbox post recorded for an outgoing message, if its last send was one. */
    static Optional<Post> post(Sql sql, MessageId id) {
        return sql.one("SELECT post_tx, post_block FROM messages WHERE id = ? AND direction = ? AND post_tx IS NOT NULL",
                rs -> new Post(rs.getBytes(1), rs.getLong(2)), id.bytes(), OUT);
    }

    static boolean markDelivered(Sql sql, long now, MessageId id) {
        return sql.update("UPDATE messages SET status = ?, delivered_at = ? WHERE id = ? AND direction = ?"
                + " AND status <> ?", DELIVERED, now, id.bytes(), OUT, DELIVERED) > 0;
    }

    static boolean markFailed(Sql sql, MessageId id, String error) {
        return sql.update("UPDATE messages SET status = ?, error = ? WHERE id = ? AND direction = ?"
                + " AND status IN (?, ?)", FAILED, sql.sealText(SealedColumn.MESSAGE_ERROR, id.bytes(), error), id.bytes(),
                OUT, QUEUED, SENT) > 0;
    }

    static boolean noteError(Sql sql, MessageId id, String error) {
        return sql.update("UPDATE messages SET error = ? WHERE id = ? AND direction = ? AND status <> ?",
                sql.sealText(SealedColumn.MESSAGE_ERROR, id.bytes(), error), id.bytes(), OUT, DELIVERED) > 0;
    }

    /**
     * Cancels an outgoing message that has not left (queued, or failed); never a session's key
     * confirmation, without which the peer accepts nothing on the session.
     */
    static boolean cancel(Sql sql, long now, MessageId id) {
        return sql.update("UPDATE messages SET status = ?, cancelled_at = ? WHERE id = ? AND direction = ?"
                + " AND status IN (?, ?) AND cancelled_at IS NULL AND kind <> ?", FAILED, now, id.bytes(), OUT,
                QUEUED, FAILED, Bytes.code(MessageKind.CONFIRM)) > 0;
    }

    private static boolean seenHash(Sql sql, byte[] hash) {
        return sql.exists("SELECT 1 FROM seen_envelopes WHERE hash = ?", hash);
    }

    private static void requirePositive(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Message row(Sql sql, ResultSet rs) throws SQLException {
        MessageStatus status = Bytes.decode(MessageStatus.class, rs.getString("status"));
        if (status == MessageStatus.FAILED && Sql.instant(rs, "cancelled_at") != null) {
            status = MessageStatus.CANCELLED;
        }
        byte[] id = rs.getBytes("id");
        return new Message(rs.getLong("seq"), MessageId.of(id), rs.getBytes("session_id"),
                PeerId.of(rs.getBytes("our_id")), PeerId.of(rs.getBytes("peer_id")),
                Bytes.decode(Direction.class, rs.getString("direction")), status,
                sql.open(SealedColumn.MESSAGE_BODY, id, rs.getBytes("body")),
                sql.open(SealedColumn.MESSAGE_ENVELOPE, id, rs.getBytes("envelope")),
                Bytes.decode(Transport.class, rs.getString("transport")),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "sent_at"), Sql.instant(rs, "delivered_at"),
                Bytes.decode(MessageKind.class, rs.getString("kind")),
                sql.openText(SealedColumn.MESSAGE_ERROR, id, rs.getString("error")));
    }
}
