package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandshakeTest {
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

    private PendingHandshake handshake(HandshakeRole role, Duration validFor) {
        Instant now = clock.now();
        return new PendingHandshake(random(32), role, ME, peer(), random(32), now, now.plus(validFor), random(200));
    }

    @Test
    void roundTrip() {
        PendingHandshake mine = handshake(HandshakeRole.INITIATOR, Duration.ofMinutes(10));
        PendingHandshake theirs = handshake(HandshakeRole.RESPONDER, Duration.ofMinutes(10));
        store.inTransaction(tx -> {
            tx.savePendingHandshake(mine);
            tx.savePendingHandshake(theirs);
        });
        store.inTransaction(tx -> {
            assertEquals(mine, tx.pendingHandshake(mine.requestId()).orElseThrow());
            assertEquals(List.of(mine, theirs), tx.pendingHandshakes());
            assertTrue(tx.deletePendingHandshake(mine.requestId()));
            assertFalse(tx.deletePendingHandshake(mine.requestId()));
            assertTrue(tx.pendingHandshake(mine.requestId()).isEmpty());
        });
        store.inTransaction(tx -> assertEquals(List.of(theirs), tx.pendingHandshakes()));
    }

    @Test
    void neverReplacesAStoredEphemeralKey() {
        PendingHandshake first = handshake(HandshakeRole.INITIATOR, Duration.ofMinutes(10));
        PendingHandshake again = new PendingHandshake(first.requestId(), first.role(), first.ourId(), first.peer(),
                random(32), first.createdAt(), first.expiresAt(), first.request());
        store.inTransaction(tx -> tx.savePendingHandshake(first));
        StoreException e = assertThrows(StoreException.class,
                () -> store.inTransaction(tx -> tx.savePendingHandshake(again)));
        assertEquals("handshake " + first.requestHex() + " is already pending", e.getMessage());
        store.inTransaction(tx -> assertArrayEquals(first.ephemeralPrivateKey(),
                tx.pendingHandshake(first.requestId()).orElseThrow().ephemeralPrivateKey()));
    }

    @Test
    void expiredHandshakesAreDeleted() {
        PendingHandshake shortLived = handshake(HandshakeRole.INITIATOR, Duration.ofMinutes(1));
        PendingHandshake longLived = handshake(HandshakeRole.RESPONDER, Duration.ofMinutes(10));
        store.inTransaction(tx -> {
            tx.savePendingHandshake(shortLived);
            tx.savePendingHandshake(longLived);
        });
        store.inTransaction(tx -> assertEquals(0, tx.deleteExpiredHandshakes()));
        clock.advance(Duration.ofMinutes(1));
        store.inTransaction(tx -> {
            assertEquals(1, tx.deleteExpiredHandshakes());
            assertEquals(List.of(longLived), tx.pendingHandshakes());
        });
    }

    @Test
    void keyNeverPrinted() {
        PendingHandshake h = handshake(HandshakeRole.INITIATOR, Duration.ofMinutes(1));
        String key = HexFormat.of().formatHex(h.ephemeralPrivateKey());
        assertFalse(h.toString().contains(key), h.toString());
        h.ephemeralPrivateKey()[0] ^= 1;
        assertEquals(key, HexFormat.of().formatHex(h.ephemeralPrivateKey()), "accessor returns a copy");
    }

    @Test
    void refusesAHandshakeThatExpiresBeforeItStarts() {
        Instant now = clock.now();
        assertThrows(IllegalArgumentException.class, () -> new PendingHandshake(random(32), HandshakeRole.INITIATOR,
                ME, peer(), random(32), now, now.minusSeconds(1), null));
    }
}
