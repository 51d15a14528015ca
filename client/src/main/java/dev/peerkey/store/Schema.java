package dev.peerkey.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables, versioned with {@code PRAGMA user_version}. {@code MIGRATIONS.get(v)} takes a
 * database from version v to v + 1; a new version appends a step and never edits an old one.
 * Timestamps are milliseconds since the epoch; IDs are raw bytes with their length checked.
 */
final class Schema {
    static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE sessions (
                session_id BLOB    NOT NULL PRIMARY KEY CHECK (length(session_id) = 32),
                our_id     BLOB    NOT NULL CHECK (length(our_id) = 32),
                peer_id    BLOB    NOT NULL CHECK (length(peer_id) = 32),
                status     TEXT    NOT NULL CHECK (status IN
                               ('pending_outgoing', 'pending_incoming', 'established', 'closed', 'revoked')),
                state      BLOB,
                endpoint   TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                CHECK (status <> 'established' OR state IS NOT NULL)
            ) STRICT""",
            // The database itself guarantees "one established session per pair".
            """
            CREATE UNIQUE INDEX sessions_one_established ON sessions (our_id, peer_id)
                WHERE status = 'established'""",
            "CREATE INDEX sessions_by_peer ON sessions (peer_id, created_at)",
            """
            CREATE TABLE pending_handshakes (
                request_id    BLOB    NOT NULL PRIMARY KEY CHECK (length(request_id) = 32),
                role          TEXT    NOT NULL CHECK (role IN ('initiator', 'responder')),
                our_id        BLOB    NOT NULL CHECK (length(our_id) = 32),
                peer_id       BLOB    NOT NULL CHECK (length(peer_id) = 32),
                ephemeral_key BLOB    NOT NULL,
                created_at    INTEGER NOT NULL,
                expires_at    INTEGER NOT NULL CHECK (expires_at >= created_at)
            ) STRICT""",
            // AUTOINCREMENT: seq never goes back, even after the newest rows are deleted.
            """
            CREATE TABLE messages (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                id           BLOB    NOT NULL UNIQUE CHECK (length(id) = 16),
                session_id   BLOB    NOT NULL REFERENCES sessions (session_id),
                direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
                status       TEXT    NOT NULL,
                body         BLOB    NOT NULL,
                envelope     BLOB    NOT NULL,
                transport    TEXT    CHECK (transport IN ('chain', 'direct')),
                created_at   INTEGER NOT NULL,
                sent_at      INTEGER,
                delivered_at INTEGER,
                CHECK ((direction = 'in' AND status = 'received' AND transport IS NOT NULL)
                    OR (direction = 'out' AND status IN ('queued', 'sent', 'delivered', 'failed')))
            ) STRICT""",
            "CREATE INDEX messages_by_session ON messages (session_id, seq)",
            """
            CREATE INDEX messages_undelivered ON messages (seq)
                WHERE direction = 'out' AND status IN ('queued', 'sent')""",
            """
            CREATE TABLE sync_cursors (
                name       TEXT    NOT NULL PRIMARY KEY,
                block      INTEGER NOT NULL CHECK (block >= 0),
                log_index  INTEGER NOT NULL CHECK (log_index >= 0),
                updated_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID""",
            // SHA-256 of every accepted incoming envelope: a redelivery is refused after a restart too.
            """
            CREATE TABLE seen_envelopes (
                hash    BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
                seen_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID"""),
            // v2: what the messaging layer needs to route, confirm and resume.
            List.of(
            // Per session: the mailbox / direct-frame tags each side listens on (derived from the
            // session secret, so observers cannot link them to the identities), the initiator's
            // key-confirmation tag the responder still waits for, and the endpoint we last told the peer.
            """
            CREATE TABLE session_routes (
                session_id   BLOB NOT NULL PRIMARY KEY REFERENCES sessions (session_id),
                inbox_tag    BLOB NOT NULL UNIQUE CHECK (length(inbox_tag) = 32),
                outbox_tag   BLOB NOT NULL CHECK (length(outbox_tag) = 32),
                confirmation BLOB CHECK (confirmation IS NULL OR length(confirmation) = 32),
                advertised   TEXT
            ) STRICT""",
            // Control messages (key confirmation, endpoint updates) share the resend queue with text.
            """
            ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
                CHECK (kind IN ('text', 'confirm', 'endpoint'))""",
            // The signed request itself, so a restarted client can still finish the handshake.
            "ALTER TABLE pending_handshakes ADD COLUMN request BLOB"),
            // v3: the key a session's mailbox tags change under, one tag per day (NULL for sessions
            // made before, which keep their one constant tag).
            List.of(
            """
            ALTER TABLE session_routes ADD COLUMN mailbox_key BLOB
                CHECK (mailbox_key IS NULL OR length(mailbox_key) = 32)"""),
            // v4: the outbox. Why an outgoing message's last delivery failed, and when the user
            // cancelled it (a cancelled message is stored as 'failed': it never leaves either).
            List.of(
            "ALTER TABLE messages ADD COLUMN error TEXT",
            "ALTER TABLE messages ADD COLUMN cancelled_at INTEGER CHECK (cancelled_at IS NULL OR direction = 'out')"),
            // v5: sessions bound to the peer's registry key.
            List.of(
            // The peer's key index a session (or the pending handshake with the same ID) was made with.
            """
            CREATE TABLE session_keys (
                session_id     BLOB    NOT NULL PRIMARY KEY CHECK (length(session_id) = 32),
                peer_key_index INTEGER NOT NULL CHECK (peer_key_index >= 0)
            ) STRICT, WITHOUT ROWID""",
            // The peer's key index the user accepted: the first session's, then each explicit `peerkey auth`.
            """
            CREATE TABLE peer_keys (
                our_id     BLOB    NOT NULL CHECK (length(our_id) = 32),
                peer_id    BLOB    NOT NULL CHECK (length(peer_id) = 32),
                key_index  INTEGER NOT NULL CHECK (key_index >= 0),
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (our_id, peer_id)
            ) STRICT, WITHOUT ROWID"""),
            // v6: message requests. A stranger's handshake waits for consent; contacts are answered.
            List.of(
            """
            CREATE TABLE contacts (
                our_id     BLOB    NOT NULL CHECK (length(our_id) = 32),
                peer_id    BLOB    NOT NULL CHECK (length(peer_id) = 32),
                status     TEXT    NOT NULL CHECK (status IN ('contact', 'blocked')),
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (our_id, peer_id)
            ) STRICT, WITHOUT ROWID""",
            // Whoever a profile already has a session or a handshake with stays a contact.
            "INSERT OR IGNORE INTO contacts SELECT our_id, peer_id, 'contact', updated_at FROM sessions",
            "INSERT OR IGNORE INTO contacts SELECT our_id, peer_id, 'contact', created_at FROM pending_handshakes",
            // Unanswered requests from strangers: the signed request (public, it is on chain) and,
            // apart, the first messages it carried, decrypted for display (body is secret).
            """
            CREATE TABLE message_requests (
                request_id  BLOB    NOT NULL PRIMARY KEY CHECK (length(request_id) = 32),
                our_id      BLOB    NOT NULL CHECK (length(our_id) = 32),
                peer_id     BLOB    NOT NULL CHECK (length(peer_id) = 32),
                request     BLOB    NOT NULL,
                signed_at   INTEGER NOT NULL,
                received_at INTEGER NOT NULL
            ) STRICT""",
            "CREATE INDEX message_requests_by_peer ON message_requests (our_id, peer_id, signed_at)",
            """
            CREATE TABLE request_messages (
                request_id BLOB    NOT NULL REFERENCES message_requests (request_id) ON DELETE CASCADE,
                id         BLOB    NOT NULL CHECK (length(id) = 16),
                sent_at    INTEGER NOT NULL,
                body       BLOB    NOT NULL,
                PRIMARY KEY (request_id, id)
            ) STRICT""",
            // IDs of requests accepted, declined or blocked: a second delivery of the log is ignored.
            """
            CREATE TABLE handled_requests (
                request_id BLOB    NOT NULL PRIMARY KEY CHECK (length(request_id) = 32),
                handled_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID"""),
            // v7: the answer a direct envelope got, so a copy of it gets the same bytes and never a
            // new ratchet step (NULL: it came through the mailbox, or before v7).
            List.of("ALTER TABLE seen_envelopes ADD COLUMN reply BLOB"),
            // v8: secrets sealed at rest under the store key (SealedColumn, Sealing).
            List.of(
            // The store key's check value (and markers for the one-time sealing of older rows).
            """
            CREATE TABLE store_meta (
                name  TEXT NOT NULL PRIMARY KEY,
                value BLOB NOT NULL
            ) STRICT, WITHOUT ROWID""",
            // Whatever rows exist were written in clear: the first unlock seals them (Sealing).
            "INSERT INTO store_meta (name, value) VALUES ('unsealed', x'')",
            // Envelopes are sealed, so a redelivered incoming one is found by its hash.
            """
            ALTER TABLE messages ADD COLUMN envelope_hash BLOB
                CHECK (envelope_hash IS NULL OR length(envelope_hash) = 32)""",
            "CREATE INDEX messages_by_envelope ON messages (envelope_hash) WHERE envelope_hash IS NOT NULL",
            // The mailbox tag key, sealed (mailbox_key's CHECK admits only 32 clear bytes; it stays NULL).
            "ALTER TABLE session_routes ADD COLUMN sealed_mailbox_key BLOB"),
            // v9: contacts by name, profile-wide. The name is sealed (it says who the peer is to us);
            // verified_key is the peer's 64-byte registry key the user compared safety numbers for.
            List.of("""
            CREATE TABLE contact_names (
                peer_id      BLOB    NOT NULL PRIMARY KEY CHECK (length(peer_id) = 32),
                name         TEXT    NOT NULL,
                verified_key BLOB    CHECK (verified_key IS NULL OR length(verified_key) = 64),
                created_at   INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID"""),
            // v10: following the chain through reorganisations, and repeating what one dropped.
            List.of(
            // The hashes of blocks a follower's cursor stood on: a block that changed hash (or is
            // gone) was reorganised, and the follower reads again from the newest one that did not.
            """
            CREATE TABLE sync_checkpoints (
                name  TEXT    NOT NULL,
                block INTEGER NOT NULL CHECK (block >= 0),
                hash  BLOB    NOT NULL CHECK (length(hash) = 32),
                PRIMARY KEY (name, block)
            ) STRICT, WITHOUT ROWID""",
            // The message ID a control envelope (key confirmation, endpoint update) carried, so a
            // resent copy is acknowledged again without decrypting it twice.
            """
            ALTER TABLE seen_envelopes ADD COLUMN message_id BLOB
                CHECK (message_id IS NULL OR length(message_id) = 16)""",
            // When a mailbox copy of the envelope was last acknowledged again: anyone can post a
            // copy, so a copy is acknowledged again at most once a minute (see Tx#acknowledgeCopy).
            "ALTER TABLE seen_envelopes ADD COLUMN reacked_at INTEGER",
            // Our signed answers to handshake requests (public once on chain), so an answer a
            // reorganisation dropped is submitted again, unchanged.
            """
            CREATE TABLE sent_accepts (
                request_id BLOB    NOT NULL PRIMARY KEY CHECK (length(request_id) = 32),
                request    BLOB    NOT NULL,
                accept     BLOB    NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID"""),
            // v11: the mailbox post that last carried an outgoing message (its transaction hash and
            // block), so a resend first asks the chain whether the post is still there.
            List.of(
            "ALTER TABLE messages ADD COLUMN post_tx BLOB CHECK (post_tx IS NULL OR length(post_tx) = 32)",
            "ALTER TABLE messages ADD COLUMN post_block INTEGER CHECK (post_block IS NULL OR post_block >= 0)",
            // Acknowledgements owed and not sent yet: a post of ours on the session (from any process
            // of the profile) carries them; what none carried within the grace period goes out alone.
            """
            CREATE TABLE owed_acks (
                session_id BLOB    NOT NULL CHECK (length(session_id) = 32),
                message_id BLOB    NOT NULL CHECK (length(message_id) = 16),
                owed_at    INTEGER NOT NULL,
                PRIMARY KEY (session_id, message_id)
            ) STRICT, WITHOUT ROWID"""),
            // v12: the read mark. When an incoming message was first shown (by `inbox` or `chat`);
            // NULL: not yet. Messages received before v12 count as read: every earlier `inbox` printed them all.
            List.of(
            "ALTER TABLE messages ADD COLUMN read_at INTEGER CHECK (read_at IS NULL OR direction = 'in')",
            "UPDATE messages SET read_at = created_at WHERE direction = 'in'",
            "CREATE INDEX messages_unread ON messages (seq) WHERE direction = 'in' AND read_at IS NULL"));

    static final int VERSION = MIGRATIONS.size();

    private Schema() {
    }

    /**
     * Brings the database to {@link #VERSION}. Runs inside the caller's BEGIN IMMEDIATE, so two
     * processes opening a new profile at once cannot both create the tables.
     */
    static void migrate(Connection connection, Path file) throws SQLException {
        try (Statement st = connection.createStatement()) {
            int version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > VERSION) {
                throw new StoreException(file + " was written by a newer peerkey (schema version "
                        + version + "); this client reads up to version " + VERSION);
            }
            for (int v = version; v < VERSION; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    st.executeUpdate(sql);
                }
            }
            if (version != VERSION) {
                st.executeUpdate("PRAGMA user_version = " + VERSION);
            }
        }
    }
}
