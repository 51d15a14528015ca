package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.count;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

class MessageTest {
    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    Store store;
    final PeerId bob = peer();
    byte[] session;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY, clock, Store.Sync.FULL);
        session = Fixtures.established(store, bob);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void outgoingLifecycle() {
        MessageId id = MessageId.random();
        Message queued = store.inTransactionReturning(tx -> tx.insertOutgoing(session, id, text("hi"), text("env")));
        assertEquals(new Message(queued.seq(), id, session, ME, bob, Direction.OUT, MessageStatus.QUEUED, text("hi"),
                text("env"), null, clock.now(), null, null, MessageKind.TEXT, null), queued);
        store.inTransaction(tx -> assertEquals(List.of(queued), tx.undelivered(10)));

        clock.advance(Duration.ofSeconds(1));
        Instant sentAt = clock.now();
        store.inTransaction(tx -> assertTrue(tx.markSent(id, Transport.DIRECT)));
        Message sent = store.inTransactionReturning(tx -> tx.message(id).orElseThrow());
        assertEquals(MessageStatus.SENT, sent.status());
        assertEquals(Transport.DIRECT, sent.transport());
        assertEquals(sentAt, sent.sentAt());
        store.inTransaction(tx -> assertEquals(List.of(sent), tx.undelivered(10), "sent but unacknowledged"));

        clock.advance(Duration.ofSeconds(1));
        store.inTransaction(tx -> {
            assertTrue(tx.markSent(id, Transport.CHAIN), "a resend over the other transport");
            assertTrue(tx.markDelivered(id));
            assertFalse(tx.markDelivered(id), "a second acknowledgement changes nothing");
            assertFalse(tx.markSent(id, Transport.DIRECT), "a late resend never undoes delivery");
            assertFalse(tx.markFailed(id, "gave up"));
        });
        Message delivered = store.inTransactionReturning(tx -> tx.message(id).orElseThrow());
        assertEquals(MessageStatus.DELIVERED, delivered.status());
        assertEquals(Transport.CHAIN, delivered.transport());
        assertEquals(clock.now(), delivered.deliveredAt());
        store.inTransaction(tx -> assertTrue(tx.undelivered(10).isEmpty()));
    }

    @Test
    void failedMessageCanStillBeAcknowledgedOrRetried() {
        MessageId a = MessageId.random();
        MessageId b = MessageId.random();
        store.inTransaction(tx -> {
            tx.insertOutgoing(session, a, text("a"), text("ea"));
            tx.insertOutgoing(session, b, text("b"), text("eb"));
            assertTrue(tx.markFailed(a, "gave up"));
            assertFalse(tx.markFailed(a, "gave up"));
            assertTrue(tx.markFailed(b, "gave up"));
        });
        store.inTransaction(tx -> {
            assertTrue(tx.undelivered(10).isEmpty(), "failed messages leave the resend queue");
            assertTrue(tx.markDelivered(a));
            assertTrue(tx.markSent(b, Transport.CHAIN));
            assertEquals(List.of(b), tx.undelivered(10).stream().map(Message::id).toList());
        });
    }

    @Test
    void markingUnknownOrIncomingMessagesChangesNothing() {
        MessageId incoming = MessageId.random();
        store.inTransaction(tx -> {
            tx.insertIncoming(session, incoming, text("x"), text("e"), Transport.CHAIN, null);
            assertFalse(tx.markSent(MessageId.random(), Transport.CHAIN));
            assertFalse(tx.markDelivered(MessageId.random()));
            assertFalse(tx.markFailed(MessageId.random(), "gave up"));
            assertFalse(tx.markDelivered(incoming));
            assertFalse(tx.markSent(incoming, Transport.DIRECT));
            assertEquals(MessageStatus.RECEIVED, tx.message(incoming).orElseThrow().status());
        });
    }

    @Test
    void incomingRoundTrip() {
        MessageId id = MessageId.random();
        Instant blockTime = clock.now().minusSeconds(30);
        byte[] envelope = random(80);
        boolean accepted = store.inTransactionReturning(
                tx -> tx.insertIncoming(session, id, text("hello"), envelope, Transport.CHAIN, blockTime));
        assertTrue(accepted);
        store.inTransaction(tx -> {
            Message m = tx.message(id).orElseThrow();
            assertEquals(new Message(m.seq(), id, session, ME, bob, Direction.IN, MessageStatus.RECEIVED, text("hello"),
                    envelope, Transport.CHAIN, clock.now(), blockTime, null, MessageKind.TEXT, null), m);
            assertTrue(tx.seen(envelope));
            assertFalse(tx.seen(random(80)));
            assertTrue(tx.undelivered(10).isEmpty(), "incoming messages are not resent");
        });
    }

    @Test
    void duplicateIncomingEnvelopeIsRefusedAndChangesNothing() {
        byte[] envelope = random(80);
        store.inTransaction(tx -> tx.insertIncoming(session, MessageId.random(), text("once"), envelope,
                Transport.CHAIN, null));
        long messages = count(store.file(), "messages");
        long seen = count(store.file(), "seen_envelopes");

        // Redelivered over the other transport, even with a different ID: refused.
        boolean accepted = store.inTransactionReturning(tx -> tx.insertIncoming(session, MessageId.random(),
                text("twice"), envelope, Transport.DIRECT, null));
        assertFalse(accepted);
        assertEquals(messages, count(store.file(), "messages"));
        assertEquals(seen, count(store.file(), "seen_envelopes"));
        store.inTransaction(tx -> assertEquals(List.of("once"), tx.messages(bob, 10).stream().map(Message::text).toList()));
    }

    @Test
    void sameMessageIdInANewEnvelopeIsRefused() {
        MessageId id = MessageId.random();
        store.inTransaction(tx -> tx.insertIncoming(session, id, text("m"), random(60), Transport.CHAIN, null));
        byte[] second = random(60);
        boolean accepted = store.inTransactionReturning(
                tx -> tx.insertIncoming(session, id, text("m"), second, Transport.DIRECT, null));
        assertFalse(accepted);
        store.inTransaction(tx -> {
            assertFalse(tx.seen(second), "nothing written");
            assertEquals(1, tx.messages(bob, 10).size());
        });
    }

    @Test
    void emptyBodyRoundTrips() {
        MessageId id = MessageId.random();
        store.inTransaction(tx -> tx.insertOutgoing(session, id, new byte[0], text("e")));
        store.inTransaction(tx -> assertArrayEquals(new byte[0], tx.message(id).orElseThrow().body()));
    }

    @Test
    void conversationIsOrderedBySequenceAcrossSessions() {
        PeerId carol = peer();
        byte[] withCarol = Fixtures.established(store, carol);
        byte[] second = random(32);
        store.inTransaction(tx -> {
            tx.insertOutgoing(session, MessageId.random(), text("1"), text("e1"));
            tx.insertIncoming(session, MessageId.random(), text("2"), text("e2"), Transport.DIRECT, null);
            tx.insertOutgoing(withCarol, MessageId.random(), text("to carol"), text("ec"));
        });
        clock.advance(Duration.ofSeconds(1));
        store.inTransaction(tx -> {
            // A new session with bob replaces the first; the conversation goes on across both.
            tx.saveSession(second, ME, bob, SessionStatus.ESTABLISHED, text("s2"), null);
            tx.insertOutgoing(second, MessageId.random(), text("3"), text("e3"));
            tx.insertIncoming(second, MessageId.random(), text("4"), text("e4"), Transport.CHAIN, null);
        });
        store.inTransaction(tx -> {
            List<Message> all = tx.messages(bob, 100);
            assertEquals(List.of("1", "2", "3", "4"), all.stream().map(Message::text).toList());
            for (int i = 1; i < all.size(); i++) {
                assertTrue(all.get(i).seq() > all.get(i - 1).seq());
            }
            assertEquals(List.of("3", "4"), tx.messages(bob, 2).stream().map(Message::text).toList(), "newest two");
            assertEquals(List.of("to carol"), tx.messages(carol, 100).stream().map(Message::text).toList());
            assertThrows(IllegalArgumentException.class, () -> tx.messages(bob, 0));
        });
    }

    @Test
    void sequenceNeverGoesBackAfterRestart() {
        store.inTransaction(tx -> tx.insertOutgoing(session, MessageId.random(), text("a"), text("e")));
        long last = store.inTransactionReturning(tx -> tx.messages(bob, 1).get(0).seq());
        Fixtures.execute(store.file(), "DELETE FROM messages");
        store.close();
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY, clock, Store.Sync.FULL);
        Message next = store.inTransactionReturning(
                tx -> tx.insertOutgoing(session, MessageId.random(), text("b"), text("e")));
        assertTrue(next.seq() > last, "a deleted sequence number is never reused");
    }

    @Test
    void refusesMessagesForUnknownSessionsAndReusedIds() {
        byte[] unknown = random(32);
        StoreException e = assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.insertOutgoing(unknown, MessageId.random(), text("x"), text("e"))));
        assertTrue(e.getMessage().startsWith("no session"), e.getMessage());
        assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.insertIncoming(unknown, MessageId.random(), text("x"), text("e"), Transport.CHAIN, null)));

        MessageId id = MessageId.random();
        store.inTransaction(tx -> tx.insertOutgoing(session, id, text("x"), text("e")));
        StoreException reused = assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.insertOutgoing(session, id, text("y"), text("f"))));
        assertTrue(reused.getMessage().contains("already stored"), reused.getMessage());
        assertEquals(1, count(store.file(), "messages"));
    }

    @Test
    void messageIdParsesAndPrints() {
        MessageId id = MessageId.random();
        assertEquals(id, MessageId.parse(id.hex()));
        assertEquals(id, MessageId.parse(id.hex().substring(2)));
        assertEquals(34, id.hex().length());
        assertThrows(IllegalArgumentException.class, () -> MessageId.parse("0x1234"));
        assertThrows(IllegalArgumentException.class, () -> MessageId.parse("zz".repeat(16)));
        Message m = new Message(1, id, session, ME, bob, Direction.OUT, MessageStatus.QUEUED, text("secret body"),
                text("e"), null, Instant.EPOCH, null, null, MessageKind.TEXT, null);
        assertFalse(m.toString().contains("secret"), "the body is never printed");
    }
}
