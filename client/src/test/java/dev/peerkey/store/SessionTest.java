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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

class SessionTest {
    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY, clock, Store.Sync.FULL);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void pendingThenEstablishedRoundTrip() {
        PeerId bob = peer();
        byte[] id = random(32);
        SessionRecord pending = store.inTransactionReturning(
                tx -> tx.saveSession(id, ME, bob, SessionStatus.PENDING_OUTGOING, null, "10.0.0.2:7000"));
        assertEquals(new SessionRecord(id, ME, bob, SessionStatus.PENDING_OUTGOING, null, "10.0.0.2:7000",
                clock.now(), clock.now()), pending);
        store.inTransaction(tx -> assertTrue(tx.session(ME, bob).isEmpty(), "pending is not established"));

        clock.advance(Duration.ofSeconds(5));
        SessionRecord up = store.inTransactionReturning(
                tx -> tx.saveSession(id, ME, bob, SessionStatus.ESTABLISHED, text("ratchet-1"), null));
        assertEquals(pending.createdAt(), up.createdAt(), "creation time kept");
        assertEquals(clock.now(), up.updatedAt());
        assertNull(up.endpoint());

        clock.advance(Duration.ofSeconds(5));
        store.inTransaction(tx -> tx.saveState(id, text("ratchet-2")));
        store.inTransaction(tx -> {
            SessionRecord s = tx.session(ME, bob).orElseThrow();
            assertArrayEquals(text("ratchet-2"), s.state());
            assertEquals(SessionStatus.ESTABLISHED, s.status());
            assertEquals(clock.now(), s.updatedAt());
            assertEquals(s, tx.sessionById(id).orElseThrow());
            assertEquals(List.of(s), tx.sessions());
        });
    }

    @Test
    void newestEstablishedSessionWins() {
        PeerId bob = peer();
        PeerId carol = peer();
        byte[] older = random(32);
        byte[] newer = random(32);
        byte[] withCarol = random(32);
        store.inTransaction(tx -> {
            tx.saveSession(older, ME, bob, SessionStatus.ESTABLISHED, text("a"), null);
            tx.saveSession(withCarol, ME, carol, SessionStatus.ESTABLISHED, text("c"), null);
        });
        clock.advance(Duration.ofSeconds(1));
        store.inTransaction(tx -> tx.saveSession(newer, ME, bob, SessionStatus.ESTABLISHED, text("b"), null));

        store.inTransaction(tx -> {
            assertArrayEquals(newer, tx.session(ME, bob).orElseThrow().sessionId());
            assertEquals(SessionStatus.CLOSED, tx.sessionById(older).orElseThrow().status());
            assertArrayEquals(withCarol, tx.session(ME, carol).orElseThrow().sessionId(), "other peers untouched");
        });

        // A late save of the older session cannot take the newer one's place.
        SessionRecord late = store.inTransactionReturning(
                tx -> tx.saveSession(older, ME, bob, SessionStatus.ESTABLISHED, text("a2"), null));
        assertEquals(SessionStatus.CLOSED, late.status());
        assertArrayEquals(text("a2"), late.state(), "its state is still saved");
        store.inTransaction(tx -> assertArrayEquals(newer, tx.session(ME, bob).orElseThrow().sessionId()));
        assertEquals("1", Fixtures.scalar(store.file(),
                "SELECT count(*) FROM sessions WHERE status = 'established' AND peer_id = x'"
                        + bob.hex().substring(2) + "'"));
    }

    @Test
    void sessionsAreListedNewestFirst() {
        byte[] first = random(32);
        byte[] second = random(32);
        store.inTransaction(tx -> tx.saveSession(first, ME, peer(), SessionStatus.PENDING_INCOMING, null, null));
        clock.advance(Duration.ofMillis(1));
        store.inTransaction(tx -> tx.saveSession(second, ME, peer(), SessionStatus.REVOKED, null, null));
        List<SessionRecord> all = store.inTransactionReturning(Tx::sessions);
        assertArrayEquals(second, all.get(0).sessionId());
        assertArrayEquals(first, all.get(1).sessionId());
    }

    @Test
    void refusesWhatWouldCorruptASession() {
        PeerId bob = peer();
        byte[] id = random(32);
        store.inTransaction(tx -> tx.saveSession(id, ME, bob, SessionStatus.ESTABLISHED, text("s"), null));

        StoreException otherPair = assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.saveSession(id, ME, peer(), SessionStatus.ESTABLISHED, text("x"), null)));
        assertTrue(otherPair.getMessage().contains("belongs to another pair"), otherPair.getMessage());

        byte[] unknown = random(32);
        StoreException missing = assertThrows(StoreException.class,
                () -> store.inTransaction(tx -> tx.saveState(unknown, text("x"))));
        assertTrue(missing.getMessage().startsWith("no session 0x"), missing.getMessage());

        assertThrows(IllegalArgumentException.class, () -> store.inTransaction(
                tx -> tx.saveSession(random(32), ME, bob, SessionStatus.ESTABLISHED, null, null)));
        assertThrows(IllegalArgumentException.class, () -> store.inTransaction(
                tx -> tx.saveSession(random(31), ME, bob, SessionStatus.PENDING_OUTGOING, null, null)));

        store.inTransaction(tx -> {
            assertEquals(1, tx.sessions().size());
            assertArrayEquals(text("s"), tx.session(ME, bob).orElseThrow().state(), "unchanged");
        });
    }

    @Test
    void recordsAreImmutableAndKeepStateOutOfToString() {
        byte[] state = text("secret-ratchet-state");
        byte[] id = random(32);
        SessionRecord s = store.inTransactionReturning(
                tx -> tx.saveSession(id, ME, peer(), SessionStatus.ESTABLISHED, state, null));
        s.state()[0] = 0;
        s.sessionId()[0] ^= 1;
        assertArrayEquals(state, s.state());
        assertArrayEquals(id, s.sessionId());
        assertFalse(s.toString().contains("secret"));
    }
}
