package dev.peerkey.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import dev.peerkey.identity.PeerId;

/** SQL for the pending_handshakes table. The ephemeral private key and the signed request are sealed, bound to the request ID. */
final class HandshakeTable {
    private static final String SELECT = "SELECT request_id, role, our_id, peer_id, ephemeral_key, created_at,"
            + " expires_at, request FROM pending_handshakes ";

    private HandshakeTable() {
    }

    static void insert(Sql sql, PendingHandshake h) {
        // Never overwrite: the peer may already hold the public half of the stored key.
        if (get(sql, h.requestId()).isPresent()) {
            throw new StoreException("handshake " + h.requestHex() + " is already pending");
        }
        sql.update("INSERT INTO pending_handshakes (request_id, role, our_id, peer_id, ephemeral_key, created_at,"
                + " expires_at, request) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                h.requestId(), Bytes.code(h.role()), h.ourId().bytes(), h.peer().bytes(),
                sql.seal(SealedColumn.HANDSHAKE_KEY, h.requestId(), h.ephemeralPrivateKey()),
                h.createdAt().toEpochMilli(), h.expiresAt().toEpochMilli(),
                sql.seal(SealedColumn.HANDSHAKE_REQUEST, h.requestId(), h.request()));
    }

    static Optional<PendingHandshake> get(Sql sql, byte[] requestId) {
        return sql.one(SELECT + "WHERE request_id = ?", rs -> row(sql, rs), requestId);
    }

    static List<PendingHandshake> all(Sql sql) {
        return sql.list(SELECT + "ORDER BY created_at, rowid", rs -> row(sql, rs));
    }

    static boolean delete(Sql sql, byte[] requestId) {
        return sql.update("DELETE FROM pending_handshakes WHERE request_id = ?", requestId) > 0;
    }

    static int deleteExpired(Sql sql, long now) {
        return sql.update("DELETE FROM pending_handshakes WHERE expires_at <= ?", now);
    }

    private static PendingHandshake row(Sql sql, ResultSet rs) throws SQLException {
        byte[] id = rs.getBytes("request_id");
        return new PendingHandshake(id, Bytes.decode(HandshakeRole.class, rs.getString("role")),
                PeerId.of(rs.getBytes("our_id")), PeerId.of(rs.getBytes("peer_id")),
                sql.open(SealedColumn.HANDSHAKE_KEY, id, rs.getBytes("ephemeral_key")),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at"),
                sql.open(SealedColumn.HANDSHAKE_REQUEST, id, rs.getBytes("request")));
    }
}
