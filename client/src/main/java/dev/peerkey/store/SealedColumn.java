package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A column whose values are secret and so kept sealed under the {@link StoreKey}: AES-256-GCM
 * with a random nonce per value, bound to this table, this column and the row's key (a value
 * copied to another row or column does not open). NULL stays NULL. BLOB columns hold the sealed
 * bytes; TEXT columns hold them in base64 ({@link #sealText}).
 *
 * <p>To seal a new secret column: declare it here (table, column, the column holding the row's
 * key, whether it is TEXT); write {@code sql.seal(COLUMN, rowKey, value)} (TEXT:
 * {@code sql.sealText}) and read {@code sql.open(COLUMN, rowKey, rs.getBytes(...))} (TEXT:
 * {@code sql.openText}) in the table class; and add it to {@link #ALL}, so that rows written in
 * clear before sealing are sealed on the first unlock. The row key must be a unique BLOB the
 * caller knows before the insert (an ID, not an AUTOINCREMENT number). The column must hold 29
 * bytes more than the plaintext (no CHECK on its exact length; see {@link #ROUTE_MAILBOX_KEY}).
 */
record SealedColumn(String table, String column, String rowKey, boolean text) {
    static final SealedColumn SESSION_STATE = new SealedColumn("sessions", "state", "session_id", false);
    static final SealedColumn SESSION_ENDPOINT = new SealedColumn("sessions", "endpoint", "session_id", true);
    static final SealedColumn HANDSHAKE_KEY = new SealedColumn("pending_handshakes", "ephemeral_key", "request_id", false);
    static final SealedColumn HANDSHAKE_REQUEST = new SealedColumn("pending_handshakes", "request", "request_id", false);
    static final SealedColumn MESSAGE_BODY = new SealedColumn("messages", "body", "id", false);
    static final SealedColumn MESSAGE_ENVELOPE = new SealedColumn("messages", "envelope", "id", false);
    /** Why delivery failed: diagnostics that could name a peer's endpoint or echo its refusal. */
    static final SealedColumn MESSAGE_ERROR = new SealedColumn("messages", "error", "id", true);
    static final SealedColumn ROUTE_ADVERTISED = new SealedColumn("session_routes", "advertised", "session_id", true);
    /** The key a session's daily mailbox tags derive from: with it a copy could link the session's posts. */
    static final SealedColumn ROUTE_MAILBOX_KEY = new SealedColumn("session_routes", "sealed_mailbox_key", "session_id",
            false);
    static final SealedColumn META_VALUE = new SealedColumn("store_meta", "value", "name", false);

    /** Every secret column of a database from before sealing, which {@link Sealing} seals on first unlock. */
    static final java.util.List<SealedColumn> ALL = java.util.List.of(SESSION_STATE, SESSION_ENDPOINT, HANDSHAKE_KEY,
            HANDSHAKE_REQUEST, MESSAGE_BODY, MESSAGE_ENVELOPE, MESSAGE_ERROR, ROUTE_ADVERTISED, ROUTE_MAILBOX_KEY);

    SealedColumn {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(rowKey, "rowKey");
    }

    byte[] seal(StoreKey key, byte[] row, byte[] value) {
        return value == null ? null : key.sealColumn(table, column, row, value);
    }

    byte[] open(StoreKey key, byte[] row, byte[] sealed) {
        if (sealed == null) {
            return null;
        }
        byte[] value = key.openColumn(table, column, row, sealed);
        if (value == null) {
            throw new StoreException(table + "." + column + " of row " + Bytes.hex(row) + " does not open with this"
                    + " profile's store key: the database was altered, or the value was moved from another row");
        }
        return value;
    }

    String sealText(StoreKey key, byte[] row, String value) {
        return value == null ? null
                : Base64.getEncoder().encodeToString(seal(key, row, value.getBytes(StandardCharsets.UTF_8)));
    }

    String openText(StoreKey key, byte[] row, String sealed) {
        if (sealed == null) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            raw = new byte[0]; // not sealed at all: refused below like any altered value
        }
        return new String(open(key, row, raw), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return table + "." + column;
    }
}
