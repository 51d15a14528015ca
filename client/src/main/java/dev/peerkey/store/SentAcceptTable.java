package dev.peerkey.store;

import java.util.Optional;

/** SQL for the sent_accepts table: our signed answers to handshake requests, sealed, by request ID. */
final class SentAcceptTable {
    private SentAcceptTable() {
    }

    static void save(Sql sql, long now, byte[] requestId, byte[] request, byte[] accept) {
        sql.update("INSERT INTO sent_accepts (request_id, request, accept, created_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (request_id) DO NOTHING", requestId,
                sql.seal(SealedColumn.SENT_ACCEPT_REQUEST, requestId, request),
                sql.seal(SealedColumn.SENT_ACCEPT, requestId, accept), now);
    }

    static Optional<byte[][]> get(Sql sql, byte[] requestId) {
        return sql.one("SELECT request, accept FROM sent_accepts WHERE request_id = ?", rs -> new byte[][] {
            sql.open(SealedColumn.SENT_ACCEPT_REQUEST, requestId, rs.getBytes("request")),
            sql.open(SealedColumn.SENT_ACCEPT, requestId, rs.getBytes("accept"))}, requestId);
    }

    static int deleteOlderThan(Sql sql, long before) {
        return sql.update("DELETE FROM sent_accepts WHERE created_at < ?", before);
    }
}
