package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.count;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

/** A transaction that fails part-way writes nothing at all. */
class AtomicityTest {
    @TempDir
    Path dir;
    Store store;
    final PeerId bob = peer();
    byte[] session;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
        session = Fixtures.established(store, bob); // state "state-0"
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void failedSendLeavesStateAndQueueUntouched() {
        RuntimeException boom = new IllegalStateException("crash after the writes, before commit");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.inTransaction(tx -> {
            tx.saveState(session, text("state-1"));
            tx.insertOutgoing(session, MessageId.random(), text("hello"), random(60));
            throw boom;
        }));
        assertSame(boom, thrown, "the work's own exception propagates unchanged");
        assertUntouched();
    }

    @Test
    void failedReceiveLeavesNoTraceSoTheRetrySucceeds() {
        byte[] envelope = random(60);
        MessageId id = MessageId.random();
        assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
            tx.saveState(session, text("state-1"));
            assertTrue(tx.insertIncoming(session, id, text("hi"), envelope, Transport.CHAIN, null));
            tx.setCursor("chain:mailbox:x", 10, 1);
            throw new IllegalStateException("crash");
        }));
        assertUntouched();
        store.inTransaction(tx -> {
            assertFalse(tx.seen(envelope), "the envelope is not marked seen, so it is accepted when redelivered");
            assertTrue(tx.cursor("chain:mailbox:x").isEmpty());
            assertTrue(tx.insertIncoming(session, id, text("hi"), envelope, Transport.CHAIN, null));
        });
    }

    /** Work that swallows a database error cannot commit the rest of its writes. */
    @Test
    void swallowedDatabaseErrorRollsBackEverything() {
        Fixtures.execute(store.file(), "CREATE TRIGGER refuse BEFORE INSERT ON messages"
                + " WHEN NEW.kind = 'endpoint' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
        StoreException e = assertThrows(StoreException.class, () -> store.inTransaction(tx -> {
            tx.saveState(session, text("state-1"));
            try {
                tx.insertOutgoing(session, MessageId.random(), MessageKind.ENDPOINT, text("boom"), random(60));
            } catch (StoreException ignored) {
                // a careless caller goes on
            }
            assertThrows(StoreException.class, () -> tx.insertOutgoing(session, MessageId.random(), text("ok"),
                    random(60)), "no more statements after a failure");
        }));
        assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
        assertTrue(e.getCause().getMessage().contains("refused by test trigger"), "the first error is the cause");
        assertUntouched();
    }

    @Test
    void bothWritesCommitTogether() {
        store.inTransaction(tx -> {
            tx.saveState(session, text("state-1"));
            tx.insertOutgoing(session, MessageId.random(), text("hello"), random(60));
        });
        store.inTransaction(tx -> {
            assertArrayEquals(text("state-1"), tx.session(ME, bob).orElseThrow().state());
            assertEquals(1, tx.undelivered(10).size());
        });
    }

    private void assertUntouched() {
        store.inTransaction(tx -> {
            assertArrayEquals(text("state-0"), tx.session(ME, bob).orElseThrow().state());
            assertTrue(tx.messages(bob, 10).isEmpty());
            assertTrue(tx.undelivered(10).isEmpty());
        });
        assertEquals(0, count(store.file(), "messages"));
        assertEquals(0, count(store.file(), "seen_envelopes"));
        assertEquals(0, count(store.file(), "sync_cursors"));
    }
}
