package dev.peerkey.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The block checkpoints a chain follower finds a reorganisation's fork point with. */
class CheckpointTest {
    private static final String NAME = "mailbox:0xabc:0x01";

    @TempDir
    Path dir;

    private static Checkpoint at(long block) {
        return new Checkpoint(block, Fixtures.random(32));
    }

    @Test
    void keepsTheNewestCheckpointsAndMovesTheCursorWithThem() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            Checkpoint c10 = at(10);
            Checkpoint c12 = at(12);
            Checkpoint c15 = at(15);
            store.inTransaction(tx -> {
                assertTrue(tx.checkpoints(NAME).isEmpty());
                tx.setCursor(NAME, c10, 2);
                tx.setCursor(NAME, c12, 2);
                tx.setCursor(NAME, c15, 2);
            });
            store.inTransaction(tx -> {
                assertEquals(List.of(c15, c12), tx.checkpoints(NAME), "newest first, at most 2");
                assertEquals(new Cursor(NAME, 15, 0), tx.cursor(NAME).orElseThrow());
                assertTrue(tx.checkpoints("another follower").isEmpty());
            });
        }
    }

    /** After a reorganisation the cursor goes back: checkpoints of the branch the chain left go. */
    @Test
    void goingBackDropsTheCheckpointsOfTheAbandonedBranch() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            Checkpoint c10 = at(10);
            Checkpoint c11 = at(11);
            store.inTransaction(tx -> {
                tx.setCursor(NAME, c10, 64);
                tx.setCursor(NAME, at(12), 64);
                tx.setCursor(NAME, at(14), 64);
            });
            store.inTransaction(tx -> tx.setCursor(NAME, c11, 64)); // rolled back to 11, read again from 11
            store.inTransaction(tx -> {
                assertEquals(List.of(c11, c10), tx.checkpoints(NAME));
                assertEquals(11, tx.cursor(NAME).orElseThrow().block());
            });
            assertThrows(IllegalArgumentException.class, () -> new Checkpoint(1, new byte[31]));
            assertThrows(IllegalArgumentException.class, () -> store.inTransaction(tx -> tx.setCursor(NAME, at(20), 0)));
        }
    }

    /** A control envelope's message ID is kept, so that a copy is acknowledged again. */
    @Test
    void remembersTheMessageIdOfASeenEnvelope() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            byte[] control = Fixtures.random(200);
            byte[] ack = Fixtures.random(200);
            MessageId id = MessageId.random();
            store.inTransaction(tx -> {
                assertTrue(tx.markSeen(control, id));
                assertTrue(tx.markSeen(ack));
            });
            store.inTransaction(tx -> {
                assertTrue(tx.seen(control));
                assertEquals(id, tx.seenMessageId(control).orElseThrow());
                assertTrue(tx.seenMessageId(ack).isEmpty(), "an acknowledgement is not acknowledged");
                assertTrue(tx.seenMessageId(Fixtures.random(200)).isEmpty());
            });
        }
    }

    /** Our signed answer to a request is kept (sealed) to submit it again. */
    @Test
    void keepsOurAnswersToSubmitThemAgain() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            byte[] requestId = Fixtures.random(32);
            byte[] request = Fixtures.random(300);
            byte[] accept = Fixtures.random(330);
            store.inTransaction(tx -> tx.saveSentAccept(requestId, request, accept));
            store.inTransaction(tx -> {
                byte[][] stored = tx.sentAccept(requestId).orElseThrow();
                org.junit.jupiter.api.Assertions.assertArrayEquals(request, stored[0]);
                org.junit.jupiter.api.Assertions.assertArrayEquals(accept, stored[1]);
                assertTrue(tx.sentAccept(Fixtures.random(32)).isEmpty());
                assertEquals(0, tx.deleteSentAcceptsBefore(java.time.Instant.now().minusSeconds(60)));
                assertEquals(1, tx.deleteSentAcceptsBefore(java.time.Instant.now().plusSeconds(60)));
                assertTrue(tx.sentAccept(requestId).isEmpty());
            });
        }
    }
}
