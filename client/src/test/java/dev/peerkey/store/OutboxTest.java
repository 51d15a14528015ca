package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.scalar;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

/**
 * A profile with two identities that both talk to Bob, and the outbox: each query picks a session
 * by our identity and the peer, never by the peer alone; failed and cancelled messages keep
 * their reason and leave the resend queue.
 */
class OutboxTest {
    @TempDir
    Path dir;
    Store store;
    final PeerId second = peer();
    final PeerId bob = peer();
    byte[] mine;
    byte[] theirs;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
        mine = Fixtures.established(store, bob);
        theirs = random(32);
        store.inTransaction(tx -> {
            tx.saveSession(theirs, second, bob, SessionStatus.ESTABLISHED, text("second's state"), null);
            tx.saveRoute(new SessionRoute(mine, random(32), random(32), null, null));
            tx.saveRoute(new SessionRoute(theirs, random(32), random(32), null, null));
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void eachIdentityHasItsOwnSessionWithTheSamePeer() {
        store.inTransaction(tx -> {
            assertArrayEquals(mine, tx.session(ME, bob).orElseThrow().sessionId());
            assertArrayEquals(theirs, tx.session(second, bob).orElseThrow().sessionId());
            assertTrue(tx.session(peer(), bob).isEmpty(), "an identity without a session has none");
            assertArrayEquals(tx.route(mine).orElseThrow().inboxTag(), tx.inboxTags(ME).get(0));
            assertEquals(1, tx.inboxTags(ME).size(), "only our own sessions' tags are followed");
            assertArrayEquals(tx.route(theirs).orElseThrow().inboxTag(), tx.inboxTags(second).get(0));
        });
        MessageId a = MessageId.random();
        MessageId b = MessageId.random();
        store.inTransaction(tx -> {
            tx.insertOutgoing(mine, a, text("from me"), text("ea"));
            tx.insertOutgoing(theirs, b, text("from second"), text("eb"));
        });
        store.inTransaction(tx -> {
            assertEquals(List.of(a), tx.undelivered(ME, 10).stream().map(Message::id).toList());
            assertEquals(List.of(b), tx.undelivered(second, 10).stream().map(Message::id).toList());
            assertEquals(ME, tx.message(a).orElseThrow().ourId());
            assertEquals(second, tx.message(b).orElseThrow().ourId());
            assertEquals(2, tx.outbox(10).size());
        });
    }

    @Test
    void aFailedMessageKeepsItsReasonAndLeavesTheQueue() {
        MessageId refused = MessageId.random();
        MessageId waiting = MessageId.random();
        store.inTransaction(tx -> {
            tx.insertOutgoing(mine, refused, text("x"), text("e1"));
            tx.insertOutgoing(mine, waiting, text("y"), text("e2"));
            assertTrue(tx.markFailed(refused, "the messenger refused the envelope"));
            assertTrue(tx.noteError(waiting, "the node is down"));
        });
        store.inTransaction(tx -> {
            Message failed = tx.message(refused).orElseThrow();
            assertEquals(MessageStatus.FAILED, failed.status());
            assertEquals("the messenger refused the envelope", failed.error());
            Message queued = tx.message(waiting).orElseThrow();
            assertEquals(MessageStatus.QUEUED, queued.status(), "a passing failure leaves it queued");
            assertEquals("the node is down", queued.error());
            assertEquals(List.of(waiting), tx.undelivered(ME, 10).stream().map(Message::id).toList());
            assertEquals(List.of(refused, waiting), tx.outbox(10).stream().map(Message::id).toList());
            assertTrue(tx.markSent(waiting, Transport.CHAIN));
            assertNull(tx.message(waiting).orElseThrow().error(), "sent: the old error is gone");
        });
    }

    @Test
    void cancelDropsOnlyWhatHasNotLeft() {
        MessageId queued = MessageId.random();
        MessageId failed = MessageId.random();
        MessageId sent = MessageId.random();
        MessageId delivered = MessageId.random();
        MessageId confirm = MessageId.random();
        MessageId incoming = MessageId.random();
        store.inTransaction(tx -> {
            tx.insertOutgoing(mine, queued, text("q"), text("e1"));
            tx.insertOutgoing(mine, failed, text("f"), text("e2"));
            tx.markFailed(failed, "refused");
            tx.insertOutgoing(mine, sent, text("s"), text("e3"));
            tx.markSent(sent, Transport.CHAIN);
            tx.insertOutgoing(mine, delivered, text("d"), text("e4"));
            tx.markDelivered(delivered);
            tx.insertOutgoing(mine, confirm, MessageKind.CONFIRM, new byte[0], text("e5"));
            tx.insertIncoming(mine, incoming, text("i"), text("e6"), Transport.CHAIN, null);
        });
        store.inTransaction(tx -> {
            assertTrue(tx.cancel(queued));
            assertTrue(tx.cancel(failed));
            assertFalse(tx.cancel(queued), "once");
            assertFalse(tx.cancel(sent), "it already left");
            assertFalse(tx.cancel(delivered));
            assertFalse(tx.cancel(confirm), "the peer needs the key confirmation");
            assertFalse(tx.cancel(incoming));
            assertFalse(tx.cancel(MessageId.random()));
        });
        store.inTransaction(tx -> {
            assertEquals(MessageStatus.CANCELLED, tx.message(queued).orElseThrow().status());
            assertEquals(MessageStatus.CANCELLED, tx.message(failed).orElseThrow().status());
            assertFalse(tx.markSent(queued, Transport.CHAIN), "a racing send does not revive it");
            assertFalse(tx.markFailed(queued, "x"));
            assertEquals(MessageStatus.CANCELLED, tx.message(queued).orElseThrow().status());
            assertEquals(List.of(sent, confirm), tx.undelivered(ME, 10).stream().map(Message::id).toList());
            assertTrue(tx.outbox(10).stream().anyMatch(m -> m.id().equals(queued)
                    && m.status() == MessageStatus.CANCELLED), "the outbox shows it cancelled");
        });
        assertEquals("failed", scalar(store.file(), "SELECT status FROM messages WHERE id = x'"
                + queued.hex().substring(2) + "'"), "stored as failed, with its cancellation time");
    }

    @Test
    void migratesAVersion2DatabaseKeepingItsQueue() {
        Path db = dir.resolve("v2.db");
        for (int v = 0; v < 2; v++) {
            for (String statement : Schema.MIGRATIONS.get(v)) {
                Fixtures.execute(db, statement);
            }
        }
        Fixtures.execute(db, "PRAGMA user_version = 2");
        Fixtures.execute(db, "INSERT INTO sessions (session_id, our_id, peer_id, status, state, created_at, updated_at)"
                + " VALUES (zeroblob(32), zeroblob(32), randomblob(32), 'established', x'00', 1, 1)");
        Fixtures.execute(db, "INSERT INTO messages (id, session_id, direction, status, body, envelope, created_at)"
                + " VALUES (randomblob(16), zeroblob(32), 'out', 'queued', x'6869', x'00', 1)");
        try (Store old = Store.open(db, Fixtures.KEY)) {
            old.inTransaction(tx -> {
                Message m = tx.outbox(10).get(0);
                assertEquals(MessageStatus.QUEUED, m.status());
                assertNull(m.error());
                assertEquals(PeerId.of(new byte[32]), m.ourId());
            });
        }
    }
}
