package dev.peerkey.store;

import java.util.List;
import java.util.Optional;

/** SQL for the sync_cursors table. */
final class CursorTable {
    private CursorTable() {
    }

    static Optional<Cursor> get(Sql sql, String name) {
        return sql.one("SELECT name, block, log_index FROM sync_cursors WHERE name = ?",
                rs -> new Cursor(rs.getString("name"), rs.getLong("block"), rs.getLong("log_index")), name);
    }

    /** When the cursor was last set. */
    static Optional<java.time.Instant> savedAt(Sql sql, String name) {
        return sql.one("SELECT updated_at FROM sync_cursors WHERE name = ?", rs -> Sql.instant(rs, "updated_at"), name);
    }

    /** Sets the cursor, also backwards: after a chain reorganisation the follower must re-read. */
    static void set(Sql sql, long now, Cursor cursor) {
        sql.update("INSERT INTO sync_cursors (name, block, log_index, updated_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET block = excluded.block, log_index = excluded.log_index,"
                + " updated_at = excluded.updated_at", cursor.name(), cursor.block(), cursor.logIndex(), now);
    }

    /** A follower's checkpoints, newest block first. */
    static List<Checkpoint> checkpoints(Sql sql, String name) {
        return sql.list("SELECT block, hash FROM sync_checkpoints WHERE name = ? ORDER BY block DESC",
                rs -> new Checkpoint(rs.getLong("block"), rs.getBytes("hash")), name);
    }

    /**
     * Sets the cursor to {@code block} and remembers its hash: checkpoints above it (of a branch
     * the chain left) are dropped, and only the newest {@code keep} are kept.
     */
    static void set(Sql sql, long now, String name, Checkpoint at, int keep) {
        set(sql, now, new Cursor(name, at.block(), 0));
        sql.update("DELETE FROM sync_checkpoints WHERE name = ? AND block >= ?", name, at.block());
        sql.update("INSERT INTO sync_checkpoints (name, block, hash) VALUES (?, ?, ?)", name, at.block(), at.hash());
        sql.update("DELETE FROM sync_checkpoints WHERE name = ? AND block NOT IN (SELECT block FROM sync_checkpoints"
                + " WHERE name = ? ORDER BY block DESC LIMIT ?)", name, name, keep);
    }
}
