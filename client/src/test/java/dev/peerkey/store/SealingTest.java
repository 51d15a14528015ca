package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.peerkey.identity.PeerId;

/**
 * Secrets at rest: what a copy of the database files gives someone without the store key
 * (nothing secret), and what the store refuses (another key, values moved between rows or
 * columns, altered values). Also the one-time sealing of a database written in clear.
 */
class SealingTest {
    private static final String BODY_OUT = "NEEDLE-body-out: meet at the old mill at nine";
    private static final String BODY_IN = "NEEDLE-body-in: bring the blue folder";
    private static final String ENV_OUT = "NEEDLE-envelope-out";
    private static final String ENV_IN = "NEEDLE-envelope-in";
    private static final String STATE = "NEEDLE-ratchet-state-root-key-chain-key";
    private static final String EPHEMERAL = "NEEDLE-ephemeral-private-key";
    private static final String REQUEST = "NEEDLE-signed-request";
    private static final String PEER_ENDPOINT = "10.9.8.7:4242";
    private static final String OUR_ENDPOINT = "10.1.2.3:7470";
    private static final String MAILBOX_KEY = "NEEDLE-mailbox-tag-key-32-bytes!";
    private static final String ERROR = "NEEDLE-error: refused by the peer";
    private static final List<String> NEEDLES = List.of(BODY_OUT, BODY_IN, ENV_OUT, ENV_IN, STATE, EPHEMERAL, REQUEST,
            PEER_ENDPOINT, OUR_ENDPOINT, MAILBOX_KEY, ERROR);
    /** The schema step that introduced sealing: databases of the versions before it are plaintext. */
    private static final int SEALED_SINCE = sealingStep();

    @TempDir
    Path dir;

    /** Writes one of everything secret; returns the session ID. */
    private static byte[] writeSecrets(Store store, PeerId bob, MessageId out, MessageId in, byte[] requestId) {
        byte[] session = random(32);
        Instant now = Instant.now();
        store.inTransaction(tx -> {
            tx.saveSession(session, ME, bob, SessionStatus.ESTABLISHED, text(STATE), PEER_ENDPOINT);
            tx.saveRoute(new SessionRoute(session, random(32), random(32), null, OUR_ENDPOINT));
            tx.setMailboxKey(session, text(MAILBOX_KEY));
            tx.savePendingHandshake(new PendingHandshake(requestId, HandshakeRole.INITIATOR, ME, peer(),
                    text(EPHEMERAL), now, now.plusSeconds(3600), text(REQUEST)));
            tx.insertOutgoing(session, out, text(BODY_OUT), text(ENV_OUT));
            tx.noteError(out, ERROR);
            tx.insertIncoming(session, in, text(BODY_IN), text(ENV_IN), Transport.CHAIN, null);
        });
        return session;
    }

    @Test
    void noSecretReachesTheDatabaseOrItsLog() throws IOException {
        Path db = dir.resolve("peerkey.db");
        try (Store store = Store.open(db, Fixtures.KEY)) {
            writeSecrets(store, peer(), MessageId.random(), MessageId.random(), random(32));
            assertTrue(Files.size(db.resolveSibling("peerkey.db-wal")) > 0, "sanity: the log holds the writes");
            assertNoNeedles(db); // the database, its -wal and -shm while the store is open
        }
        assertNoNeedles(db);
    }

    @Test
    void anotherKeyOpensNothing() throws IOException {
        Path db = dir.resolve("peerkey.db");
        PeerId bob = peer();
        try (Store store = Store.open(db, Fixtures.KEY)) {
            writeSecrets(store, bob, MessageId.random(), MessageId.random(), random(32));
        }
        byte[] before = Files.readAllBytes(db);
        StoreException e = assertThrows(StoreException.class, () -> Store.open(db, StoreKey.random()));
        assertTrue(e.getMessage().contains("sealed under another store key"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db), "a refused key changes nothing");
        try (Store store = Store.open(db, Fixtures.KEY)) {
            assertEquals(BODY_OUT, store.inTransactionReturning(tx -> tx.messages(bob, 10)).get(0).text());
        }
    }

    @Test
    void aValueMovedToAnotherRowDoesNotOpen() {
        Path db = dir.resolve("peerkey.db");
        PeerId bob = peer();
        MessageId first = MessageId.random();
        MessageId second = MessageId.random();
        byte[] sessionA;
        byte[] sessionB = random(32);
        try (Store store = Store.open(db, Fixtures.KEY)) {
            sessionA = Fixtures.established(store, bob);
            store.inTransaction(tx -> {
                tx.saveSession(sessionB, ME, peer(), SessionStatus.ESTABLISHED, text("state-b"), null);
                tx.insertOutgoing(sessionA, first, text("first"), text("envelope-1"));
                tx.insertOutgoing(sessionA, second, text("second"), text("envelope-2"));
            });
        }
        // Someone with the files swaps the two bodies, and the two sessions' ratchet states.
        swap(db, "messages", "body", "id", first.bytes(), second.bytes());
        swap(db, "sessions", "state", "session_id", sessionA, sessionB);
        try (Store store = Store.open(db, Fixtures.KEY)) {
            StoreException body = assertThrows(StoreException.class,
                    () -> store.inTransactionReturning(tx -> tx.message(first)));
            assertTrue(body.getMessage().contains("messages.body of row"), body.getMessage());
            StoreException state = assertThrows(StoreException.class,
                    () -> store.inTransactionReturning(tx -> tx.sessionById(sessionB)));
            assertTrue(state.getMessage().contains("sessions.state of row"), state.getMessage());
        }
        // A value copied into another column of its own row does not open either.
        copy(db, "UPDATE messages SET body = envelope WHERE id = ?", second.bytes());
        try (Store store = Store.open(db, Fixtures.KEY)) {
            assertThrows(StoreException.class, () -> store.inTransactionReturning(tx -> tx.message(second)));
        }
    }

    @Test
    void anAlteredValueDoesNotOpen() {
        Path db = dir.resolve("peerkey.db");
        PeerId bob = peer();
        MessageId id = MessageId.random();
        byte[] session;
        try (Store store = Store.open(db, Fixtures.KEY)) {
            session = writeSecrets(store, bob, id, MessageId.random(), random(32));
        }
        byte[] body = Fixtures.blob(db, "SELECT body FROM messages WHERE id = X'" + hex(id.bytes()) + "'");
        body[body.length - 1] ^= 1;
        copy(db, "UPDATE messages SET body = ? WHERE id = ?", body, id.bytes());
        // An endpoint written in clear (to redirect our connections) is refused like any other change.
        copy(db, "UPDATE sessions SET endpoint = '203.0.113.9:7470' WHERE session_id = ?", session);
        try (Store store = Store.open(db, Fixtures.KEY)) {
            assertThrows(StoreException.class, () -> store.inTransactionReturning(tx -> tx.message(id)));
            StoreException e = assertThrows(StoreException.class,
                    () -> store.inTransactionReturning(tx -> tx.sessionById(session)));
            assertTrue(e.getMessage().contains("sessions.endpoint of row"), e.getMessage());
        }
    }

    /**
     * A database written in clear by an earlier client (version 2, and the last version before
     * sealing) and left by a crash with its newest rows only in the write-ahead log: the first
     * open seals every secret, and afterwards neither the database nor its log holds any of
     * them, while the store still reads them all.
     */
    @ParameterizedTest
    @MethodSource("plaintextVersions")
    void sealsAPlaintextDatabaseOnFirstOpen(int version) throws Exception {
        Path old = dir.resolve("old/peerkey.db");
        Path db = dir.resolve("profile/peerkey.db");
        Files.createDirectories(old.getParent());
        Files.createDirectories(db.getParent());
        byte[] session = random(32);
        byte[] requestId = random(32);
        byte[] out = random(16);
        byte[] in = random(16);
        PeerId bob = peer();
        boolean hadMailboxKey;
        boolean hadError;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement st = c.createStatement()) {
            st.executeQuery("PRAGMA journal_mode = WAL").close();
            st.executeUpdate("PRAGMA wal_autocheckpoint = 0");
            for (List<String> step : Schema.MIGRATIONS.subList(0, version)) {
                for (String sql : step) {
                    st.executeUpdate(sql);
                }
            }
            st.executeUpdate("PRAGMA user_version = " + version);
            insert(c, "INSERT INTO sessions (session_id, our_id, peer_id, status, state, endpoint, created_at, updated_at)"
                    + " VALUES (?, ?, ?, 'established', ?, ?, 1, 1)", session, ME.bytes(), bob.bytes(), text(STATE),
                    PEER_ENDPOINT);
            insert(c, "INSERT INTO session_routes (session_id, inbox_tag, outbox_tag, advertised) VALUES (?, ?, ?, ?)",
                    session, random(32), random(32), OUR_ENDPOINT);
            hadMailboxKey = hasColumn(c, "session_routes", "mailbox_key"); // daily mailbox tags: in clear then
            if (hadMailboxKey) {
                insert(c, "UPDATE session_routes SET mailbox_key = ?", text(MAILBOX_KEY));
            }
            insert(c, "INSERT INTO pending_handshakes (request_id, role, our_id, peer_id, ephemeral_key, created_at,"
                    + " expires_at, request) VALUES (?, 'initiator', ?, ?, ?, 1, 4102444800000, ?)", requestId,
                    ME.bytes(), peer().bytes(), text(EPHEMERAL), text(REQUEST));
            insert(c, "INSERT INTO messages (id, session_id, direction, status, body, envelope, created_at)"
                    + " VALUES (?, ?, 'out', 'queued', ?, ?, 1)", out, session, text(BODY_OUT), text(ENV_OUT));
            hadError = hasColumn(c, "messages", "error"); // the outbox: why delivery failed, in clear then
            if (hadError) {
                insert(c, "UPDATE messages SET error = ? WHERE id = ?", ERROR, out);
            }
            insert(c, "INSERT INTO messages (id, session_id, direction, status, body, envelope, transport, created_at)"
                    + " VALUES (?, ?, 'in', 'received', ?, ?, 'chain', 2)", in, session, text(BODY_IN), text(ENV_IN));
            // The crash: the files as they are now, with the rows in the log only.
            Files.copy(old, db);
            Files.copy(old.resolveSibling("peerkey.db-wal"), db.resolveSibling("peerkey.db-wal"));
        }
        assertTrue(contains(Files.readAllBytes(db.resolveSibling("peerkey.db-wal")), BODY_OUT),
                "sanity: the plaintext is in the log before the upgrade");

        try (Store store = Store.open(db, Fixtures.KEY)) {
            assertNoNeedles(db);
            store.inTransaction(tx -> {
                SessionRecord s = tx.sessionById(session).orElseThrow();
                assertEquals(STATE, new String(s.state(), StandardCharsets.UTF_8));
                assertEquals(PEER_ENDPOINT, s.endpoint());
                assertEquals(OUR_ENDPOINT, tx.route(session).orElseThrow().advertised());
                if (hadMailboxKey) {
                    assertEquals(MAILBOX_KEY, new String(tx.mailboxKey(session).orElseThrow(), StandardCharsets.UTF_8));
                }
                if (hadError) {
                    assertEquals(ERROR, tx.message(MessageId.of(out)).orElseThrow().error());
                }
                PendingHandshake h = tx.pendingHandshake(requestId).orElseThrow();
                assertEquals(EPHEMERAL, new String(h.ephemeralPrivateKey(), StandardCharsets.UTF_8));
                assertEquals(REQUEST, new String(h.request(), StandardCharsets.UTF_8));
                assertEquals(List.of(BODY_OUT, BODY_IN), tx.messages(bob, 10).stream().map(Message::text).toList());
                assertEquals(BODY_IN, tx.incomingByEnvelope(text(ENV_IN)).orElseThrow().text(),
                        "a redelivery of a migrated message is still recognised");
            });
        }
        assertNoNeedles(db);
        assertEquals(List.of("key_check"), Fixtures.column(db, "SELECT name FROM store_meta"), "sealed and vacuumed");
        StoreException e = assertThrows(StoreException.class, () -> Store.open(db, StoreKey.random()));
        assertTrue(e.getMessage().contains("sealed under another store key"), e.getMessage());
    }

    @Test
    void endedSessionsLoseTheirRatchetState() {
        TestClock clock = new TestClock();
        Path db = dir.resolve("peerkey.db");
        PeerId bob = peer();
        byte[] old = random(32);
        byte[] current = random(32);
        byte[] revoked = random(32);
        try (Store store = Store.open(db, Fixtures.KEY, clock, Store.Sync.FULL)) {
            store.inTransaction(tx -> {
                tx.saveSession(old, ME, bob, SessionStatus.ESTABLISHED, text("old-state"), null);
                tx.saveSession(revoked, ME, peer(), SessionStatus.ESTABLISHED, text("revoked-state"), null);
            });
            clock.advance(Duration.ofSeconds(1));
            store.inTransaction(tx -> {
                tx.saveSession(current, ME, bob, SessionStatus.ESTABLISHED, text("new-state"), null); // supersedes old
                SessionRecord r = tx.sessionById(revoked).orElseThrow();
                tx.saveSession(revoked, ME, r.peer(), SessionStatus.REVOKED, r.state(), null);
            });
            store.inTransaction(tx -> {
                assertNull(tx.sessionById(revoked).orElseThrow().state(), "revoked: gone at once");
                assertEquals(SessionStatus.CLOSED, tx.sessionById(old).orElseThrow().status());
                assertEquals("old-state", new String(tx.sessionById(old).orElseThrow().state(), StandardCharsets.UTF_8),
                        "superseded: kept for late messages");
            });
            clock.advance(Tx.CLOSED_SESSION_GRACE.plusSeconds(1));
            store.inTransaction(tx -> {
                tx.inboxTags(ME); // what a follower asks on every pass
                assertNull(tx.sessionById(old).orElseThrow().state(), "superseded: gone after the grace");
                assertEquals("new-state", new String(tx.session(ME, bob).orElseThrow().state(), StandardCharsets.UTF_8));
            });
        }
        assertEquals(List.of("1", "1", "0"), Fixtures.column(db,
                "SELECT state IS NULL FROM sessions ORDER BY status = 'established', status"));
    }

    @Test
    void aLabelledValueOpensOnlyUnderItsLabelAndKey() {
        byte[] sealed = Fixtures.KEY.seal("listen.json endpoint", text(OUR_ENDPOINT));
        assertEquals(OUR_ENDPOINT.length() + StoreKey.OVERHEAD, sealed.length);
        assertEquals(OUR_ENDPOINT, new String(Fixtures.KEY.open("listen.json endpoint", sealed), StandardCharsets.UTF_8));
        assertThrows(StoreException.class, () -> Fixtures.KEY.open("another purpose", sealed));
        assertThrows(StoreException.class, () -> StoreKey.random().open("listen.json endpoint", sealed));
        assertFalse(Base64.getEncoder().encodeToString(sealed).contains(OUR_ENDPOINT));
    }

    static List<Integer> plaintextVersions() {
        return List.of(2, SEALED_SINCE);
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT 1 FROM pragma_table_info('" + table + "') WHERE name = '"
                        + column + "'")) {
            return rs.next();
        }
    }

    private static int sealingStep() {
        for (int v = 0; v < Schema.MIGRATIONS.size(); v++) {
            if (Schema.MIGRATIONS.get(v).stream().anyMatch(sql -> sql.contains("CREATE TABLE store_meta"))) {
                return v;
            }
        }
        throw new AssertionError("no schema step creates store_meta");
    }

    /** No needle in the database, its -wal or its -shm, as UTF-8 bytes. */
    private static void assertNoNeedles(Path db) throws IOException {
        List<String> found = new ArrayList<>();
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path file = db.resolveSibling(db.getFileName() + suffix);
            if (!Files.exists(file)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(file);
            for (String needle : NEEDLES) {
                if (contains(bytes, needle)) {
                    found.add(needle + " in " + file.getFileName());
                }
            }
        }
        assertEquals(List.of(), found);
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void swap(Path db, String table, String column, String key, byte[] a, byte[] b) {
        byte[] va = Fixtures.blob(db, "SELECT " + column + " FROM " + table + " WHERE " + key + " = X'" + hex(a) + "'");
        byte[] vb = Fixtures.blob(db, "SELECT " + column + " FROM " + table + " WHERE " + key + " = X'" + hex(b) + "'");
        copy(db, "UPDATE " + table + " SET " + column + " = ? WHERE " + key + " = ?", vb, a);
        copy(db, "UPDATE " + table + " SET " + column + " = ? WHERE " + key + " = ?", va, b);
    }

    private static void copy(Path db, String sql, Object... args) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertEquals(1, insert(c, sql, args));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static int insert(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
