package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Unlocks a database with a store key, in the transaction that opens it: checks that the key is
 * this database's (a check value sealed under it in {@code store_meta}), and seals the secret
 * columns of a database written before sealing existed (the schema step that created
 * {@code store_meta} marks such a database "unsealed"). The rows of a migrated database are then
 * sealed, but their plaintext may survive in free pages and in the write-ahead log until the
 * file is rebuilt, so a "vacuum" marker stays until {@link Store} has run VACUUM.
 */
final class Sealing {
    static final String KEY_CHECK = "key_check";
    static final String UNSEALED = "unsealed";
    static final String VACUUM = "vacuum";
    private static final byte[] CHECK = "peerkey store key check".getBytes(StandardCharsets.UTF_8);

    private Sealing() {
    }

    /**
     * @return whether the file still needs a VACUUM to drop plaintext left by the sealing
     * @throws StoreException if the database is sealed under another key or has lost its check value
     */
    static boolean unlock(Sql sql, Path file) {
        Optional<byte[]> check = meta(sql, KEY_CHECK);
        if (check.isPresent()) {
            byte[] opened;
            try {
                opened = sql.open(SealedColumn.META_VALUE, name(KEY_CHECK), check.get());
            } catch (StoreException e) {
                opened = null;
            }
            if (opened == null || !MessageDigest.isEqual(opened, CHECK)) {
                throw new StoreException(file + " is sealed under another store key: the profile's store.key"
                        + " does not belong to this database");
            }
        } else if (meta(sql, UNSEALED).isPresent()) {
            int sealed = sealAll(sql);
            sql.update("DELETE FROM store_meta WHERE name = ?", UNSEALED);
            sql.update("INSERT INTO store_meta (name, value) VALUES (?, ?)", KEY_CHECK,
                    sql.seal(SealedColumn.META_VALUE, name(KEY_CHECK), CHECK));
            if (sealed > 0) {
                sql.update("INSERT INTO store_meta (name, value) VALUES (?, x'')", VACUUM);
            }
        } else {
            throw new StoreException(file + " is damaged: the check value of its store key is missing");
        }
        return meta(sql, VACUUM).isPresent();
    }

    /** Records that VACUUM has run. */
    static void vacuumed(Sql sql) {
        sql.update("DELETE FROM store_meta WHERE name = ?", VACUUM);
    }

    /**
     * Seals every value of every secret column (first the hashes of incoming envelopes, and the
     * mailbox tag keys moved to the column that can hold them sealed); returns how many.
     */
    private static int sealAll(Sql sql) {
        sql.update("UPDATE session_routes SET sealed_mailbox_key = mailbox_key, mailbox_key = NULL"
                + " WHERE mailbox_key IS NOT NULL");
        for (Object[] row : sql.list("SELECT id, envelope FROM messages WHERE direction = 'in' AND envelope_hash IS NULL",
                rs -> new Object[] {rs.getBytes(1), rs.getBytes(2)})) {
            byte[] envelope = row[1] == null ? new byte[0] : (byte[]) row[1];
            sql.update("UPDATE messages SET envelope_hash = ? WHERE id = ?", MessageTable.sha256(envelope), row[0]);
        }
        int count = 0;
        for (SealedColumn c : SealedColumn.ALL) {
            int keys = c.rowKey().size();
            String select = "SELECT " + String.join(", ", c.rowKey()) + ", " + c.column() + " FROM " + c.table()
                    + " WHERE " + c.column() + " IS NOT NULL";
            String update = "UPDATE " + c.table() + " SET " + c.column() + " = ? WHERE "
                    + String.join(" = ? AND ", c.rowKey()) + " = ?";
            for (Object[] row : sql.list(select, rs -> {
                Object[] values = new Object[keys + 1];
                for (int i = 0; i < keys; i++) {
                    values[i] = rs.getBytes(i + 1);
                }
                values[keys] = rs.getObject(keys + 1);
                return values;
            })) {
                byte[][] parts = new byte[keys][];
                for (int i = 0; i < keys; i++) {
                    parts[i] = (byte[]) row[i];
                }
                byte[] key = SealedColumn.rowKey(parts);
                Object value = row[keys];
                Object[] args = new Object[keys + 1];
                args[0] = c.text() ? sql.sealText(c, key, (String) value)
                        : sql.seal(c, key, value instanceof byte[] b ? b : new byte[0]);
                System.arraycopy(parts, 0, args, 1, keys);
                sql.update(update, args);
                count++;
            }
        }
        return count;
    }

    private static Optional<byte[]> meta(Sql sql, String name) {
        return sql.one("SELECT value FROM store_meta WHERE name = ?", rs -> {
            byte[] value = rs.getBytes(1);
            return value == null ? new byte[0] : value;
        }, name);
    }

    private static byte[] name(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
