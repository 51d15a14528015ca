package dev.peerkey.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/**
 * SQL for the contacts, message_requests, request_messages and handled_requests tables. The first
 * messages' bodies are sealed under the store key, bound to the request ID and the message ID;
 * the signed request stays in clear (it is on chain).
 */
final class RequestTable {
    private static final String SELECT = "SELECT request_id, our_id, peer_id, request, signed_at, received_at"
            + " FROM message_requests ";

    private RequestTable() {
    }

    // ---- contacts ----

    static Optional<ContactStatus> contact(Sql sql, PeerId ourId, PeerId peer) {
        return sql.one("SELECT status FROM contacts WHERE our_id = ? AND peer_id = ?",
                rs -> Bytes.decode(ContactStatus.class, rs.getString(1)), ourId.bytes(), peer.bytes());
    }

    static void setContact(Sql sql, long now, PeerId ourId, PeerId peer, ContactStatus status) {
        sql.update("INSERT INTO contacts (our_id, peer_id, status, updated_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (our_id, peer_id) DO UPDATE SET status = excluded.status,"
                + " updated_at = excluded.updated_at", ourId.bytes(), peer.bytes(), Bytes.code(status), now);
    }

    static boolean removeContact(Sql sql, PeerId ourId, PeerId peer) {
        return sql.update("DELETE FROM contacts WHERE our_id = ? AND peer_id = ?", ourId.bytes(), peer.bytes()) > 0;
    }

    static List<PeerId> withStatus(Sql sql, PeerId ourId, ContactStatus status) {
        return sql.list("SELECT peer_id FROM contacts WHERE our_id = ? AND status = ? ORDER BY updated_at",
                rs -> PeerId.of(rs.getBytes(1)), ourId.bytes(), Bytes.code(status));
    }

    // ---- requests ----

    static boolean known(Sql sql, byte[] requestId) {
        return sql.exists("SELECT 1 FROM message_requests WHERE request_id = ?", requestId)
                || sql.exists("SELECT 1 FROM handled_requests WHERE request_id = ?", requestId);
    }

    static boolean insert(Sql sql, long now, MessageRequest r) {
        if (known(sql, r.requestId())) {
            return false;
        }
        sql.update("INSERT INTO message_requests (request_id, our_id, peer_id, request, signed_at, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)", r.requestId(), r.ourId().bytes(), r.peer().bytes(), r.request(),
                r.signedAt().toEpochMilli(), now);
        for (RequestMessage m : r.messages()) {
            sql.update("INSERT INTO request_messages (request_id, id, sent_at, body) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING", r.requestId(), m.id().bytes(), m.sentAt().toEpochMilli(),
                    sql.seal(SealedColumn.REQUEST_MESSAGE_BODY, SealedColumn.rowKey(r.requestId(), m.id().bytes()),
                            m.body()));
        }
        return true;
    }

    /** Requests to {@code ourId}, from {@code peer} only if not null; oldest first. */
    static List<MessageRequest> list(Sql sql, PeerId ourId, PeerId peer) {
        List<MessageRequest> bare = peer == null
                ? sql.list(SELECT + "WHERE our_id = ? ORDER BY signed_at, rowid", RequestTable::row, ourId.bytes())
                : sql.list(SELECT + "WHERE our_id = ? AND peer_id = ? ORDER BY signed_at, rowid", RequestTable::row,
                        ourId.bytes(), peer.bytes());
        List<MessageRequest> out = new ArrayList<>(bare.size());
        for (MessageRequest r : bare) {
            List<RequestMessage> messages = sql.list("SELECT id, sent_at, body FROM request_messages"
                    + " WHERE request_id = ? ORDER BY sent_at, rowid", rs -> {
                        byte[] id = rs.getBytes("id");
                        return new RequestMessage(MessageId.of(id), Sql.instant(rs, "sent_at"),
                                sql.open(SealedColumn.REQUEST_MESSAGE_BODY, SealedColumn.rowKey(r.requestId(), id),
                                        rs.getBytes("body")));
                    }, r.requestId());
            out.add(new MessageRequest(r.requestId(), r.ourId(), r.peer(), r.request(), r.signedAt(),
                    r.receivedAt(), messages));
        }
        return out;
    }

    /** Deletes {@code peer}'s requests to {@code ourId} (with their messages) and remembers their IDs. */
    static int drop(Sql sql, long now, PeerId ourId, PeerId peer) {
        List<byte[]> ids = sql.list("SELECT request_id FROM message_requests WHERE our_id = ? AND peer_id = ?",
                rs -> rs.getBytes(1), ourId.bytes(), peer.bytes());
        for (byte[] id : ids) {
            markHandled(sql, now, id);
            sql.update("DELETE FROM message_requests WHERE request_id = ?", id);
        }
        return ids.size();
    }

    static void markHandled(Sql sql, long now, byte[] requestId) {
        sql.update("INSERT INTO handled_requests (request_id, handled_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                requestId, now);
    }

    static int deleteSignedBefore(Sql sql, Instant cutoff) {
        return sql.update("DELETE FROM message_requests WHERE signed_at < ?", cutoff.toEpochMilli());
    }

    static int forgetHandledBefore(Sql sql, Instant cutoff) {
        return sql.update("DELETE FROM handled_requests WHERE handled_at < ?", cutoff.toEpochMilli());
    }

    private static MessageRequest row(ResultSet rs) throws SQLException {
        return new MessageRequest(rs.getBytes("request_id"), PeerId.of(rs.getBytes("our_id")),
                PeerId.of(rs.getBytes("peer_id")), Sql.blob(rs, "request"), Sql.instant(rs, "signed_at"),
                Sql.instant(rs, "received_at"), List.of());
    }
}
