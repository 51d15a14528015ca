package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.established;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's part in daily mailbox tags: a session's tag key, and when a follower's cursor was saved. */
class MailboxKeyTest {
    @TempDir
    Path dir;

    @Test
    void aRoutedSessionKeepsItsMailboxTagKey() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            byte[] session = established(store, peer());
            byte[] key = random(32);
            store.inTransaction(tx -> {
                tx.saveRoute(new SessionRoute(session, random(32), random(32), null, null));
                assertTrue(tx.mailboxKey(session).isEmpty(), "a route made without one has none (as before v3)");
                tx.setMailboxKey(session, key);
            });
            store.inTransaction(tx -> assertArrayEquals(key, tx.mailboxKey(session).orElseThrow()));
            assertThrows(IllegalArgumentException.class,
                    () -> store.inTransaction(tx -> tx.setMailboxKey(session, random(31))));
            byte[] unrouted = established(store, peer());
            assertThrows(StoreException.class, () -> store.inTransaction(tx -> tx.setMailboxKey(unrouted, key)));
        }
    }

    @Test
    void theCursorRemembersWhenItWasSaved() {
        TestClock clock = new TestClock();
        try (Store store = Store.open(dir.resolve("timed.db"), Fixtures.KEY, clock, Store.Sync.FULL)) {
            String name = "mailbox:0xabc:0xdef";
            store.inTransaction(tx -> assertTrue(tx.cursorSavedAt(name).isEmpty()));
            store.inTransaction(tx -> tx.setCursor(name, 10, 0));
            assertEquals(clock.now(), store.inTransactionReturning(tx -> tx.cursorSavedAt(name)).orElseThrow());
            clock.advance(Duration.ofDays(3));
            store.inTransaction(tx -> tx.setCursor(name, 20, 0));
            assertEquals(clock.now(), store.inTransactionReturning(tx -> tx.cursorSavedAt(name)).orElseThrow());
        }
    }
}
