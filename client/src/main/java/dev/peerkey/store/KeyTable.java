package dev.peerkey.store;

import java.util.OptionalInt;

import dev.peerkey.identity.PeerId;

/** SQL for the session_keys and peer_keys tables: which of a peer's registry keys a session was made with, and which one the user accepted. */
final class KeyTable {
    private KeyTable() {
    }

    static void bind(Sql sql, byte[] sessionId, int keyIndex) {
        sql.update("INSERT INTO session_keys (session_id, peer_key_index) VALUES (?, ?)"
                + " ON CONFLICT (session_id) DO UPDATE SET peer_key_index = excluded.peer_key_index",
                sessionId, keyIndex);
    }

    static OptionalInt bound(Sql sql, byte[] sessionId) {
        return sql.one("SELECT peer_key_index FROM session_keys WHERE session_id = ?", rs -> rs.getInt(1), sessionId)
                .map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    static OptionalInt accepted(Sql sql, PeerId ourId, PeerId peer) {
        return sql.one("SELECT key_index FROM peer_keys WHERE our_id = ? AND peer_id = ?", rs -> rs.getInt(1),
                ourId.bytes(), peer.bytes()).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    static void accept(Sql sql, long now, PeerId ourId, PeerId peer, int keyIndex) {
        sql.update("INSERT INTO peer_keys (our_id, peer_id, key_index, updated_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (our_id, peer_id) DO UPDATE SET key_index = excluded.key_index,"
                + " updated_at = excluded.updated_at", ourId.bytes(), peer.bytes(), keyIndex, now);
    }
}
