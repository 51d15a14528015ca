package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A column whose values are secret and so kept sealed under the {@link StoreKey}: AES-256-GCM
 * with a random nonce per value, bound to this table, this column and the row's key (a value
 * copied to another row or column does not open). NULL stays NULL. BLOB columns hold the sealed
 * bytes; TEXT columns hold them in base64 ({@link #sealText}).
 *
 * <p>To seal a new secret column: declare it here (table, column, the columns of the row's key;
 * {@link #text} for a TEXT column); write {@code sql.seal(COLUMN, rowKey, value)} (TEXT:
 * {@code sql.sealText}) and read {@code sql.open(COLUMN, rowKey, rs.getBytes(...))} (TEXT:
 * {@code sql.openText}) in the table class; and add it to {@link #ALL}, so that rows written in
 * clear before sealing are sealed on the first unlock. The row key must be unique BLOBs the caller
 * knows before the insert (IDs, not an AUTOINCREMENT number; several: {@link #rowKey(byte[]...)}). The column must hold 29
 * bytes more than the plaintext (no CHECK on its exact length; see {@link #ROUTE_MAILBOX_KEY}).
 */
record SealedColumn(String table, String column, List<String> rowKey, boolean text) {
    static final SealedColumn SESSION_STATE = blob("sessions", "state", "session_id");
    static final SealedColumn SESSION_ENDPOINT = text("sessions", "endpoint", "session_id");
    static final SealedColumn HANDSHAKE_KEY = blob("pending_handshakes", "ephemeral_key", "request_id");
    static final SealedColumn HANDSHAKE_REQUEST = blob("pending_handshakes", "request", "request_id");
    static final SealedColumn MESSAGE_BODY = blob("messages", "body", "id");
    static final SealedColumn MESSAGE_ENVELOPE = blob("messages", "envelope", "id");
    /** The answer a direct envelope got (an encrypted acknowledgement), kept to answer copies alike. */
    static final SealedColumn SEEN_REPLY = blob("seen_envelopes", "reply", "hash");
    /** Why delivery failed: diagnostics that could name a peer's endpoint or echo its refusal. */
    static final SealedColumn MESSAGE_ERROR = text("messages", "error", "id");
    static final SealedColumn ROUTE_ADVERTISED = text("session_routes", "advertised", "session_id");
    /** The key a session's daily mailbox tags derive from: with it a copy could link the session's posts. */
    static final SealedColumn ROUTE_MAILBOX_KEY = blob("session_routes", "sealed_mailbox_key", "session_id");
    /** First messages a stranger's request carried, decrypted for display (row key: request ID, then message ID). */
    static final SealedColumn REQUEST_MESSAGE_BODY = blob("request_messages", "body", "request_id", "id");
    static final SealedColumn META_VALUE = blob("store_meta", "value", "name");
    /** What the user calls a contact (always written sealed: the table is newer than sealing). */
    static final SealedColumn CONTACT_NAME = text("contact_names", "name", "peer_id");

    /** Every secret column of a database from before sealing, which {@link Sealing} seals on first unlock. */
    static final List<SealedColumn> ALL = List.of(SESSION_STATE, SESSION_ENDPOINT, HANDSHAKE_KEY,
            HANDSHAKE_REQUEST, MESSAGE_BODY, MESSAGE_ENVELOPE, MESSAGE_ERROR, ROUTE_ADVERTISED, ROUTE_MAILBOX_KEY,
            REQUEST_MESSAGE_BODY, SEEN_REPLY);

    private static SealedColumn blob(String table, String column, String... rowKey) {
        return new SealedColumn(table, column, List.of(rowKey), false);
    }

    private static SealedColumn text(String table, String column, String... rowKey) {
        return new SealedColumn(table, column, List.of(rowKey), true);
    }

    /** The row key of a row whose key has several columns: their values one after the other (each of fixed length). */
    static byte[] rowKey(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    SealedColumn {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        rowKey = List.copyOf(rowKey);
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
