package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.established;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

class RouteTest {
    @TempDir
    Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void findsTheSessionByItsInboxTagUntilItIsRevoked() {
        PeerId bob = peer();
        byte[] session = established(store, bob);
        byte[] inbox = random(32);
        byte[] confirmation = random(32);
        store.inTransaction(tx -> tx.saveRoute(new SessionRoute(session, inbox, random(32), confirmation, null)));
        store.inTransaction(tx -> {
            SessionRoute route = tx.routeByInboxTag(inbox).orElseThrow();
            assertArrayEquals(session, route.sessionId());
            assertArrayEquals(confirmation, route.pendingConfirmation().orElseThrow());
            assertEquals(1, tx.inboxTags(ME).size());
            assertTrue(tx.routeByInboxTag(random(32)).isEmpty(), "an unknown tag is not ours");
        });
        store.inTransaction(tx -> tx.saveSession(session, ME, bob, SessionStatus.REVOKED, text("s"), null));
        store.inTransaction(tx -> assertEquals(List.of(), tx.inboxTags(ME), "a revoked session is not followed"));
    }

    @Test
    void aSupersededSessionIsFollowedForAGracePeriodOnly() {
        TestClock clock = new TestClock();
        try (Store timed = Store.open(dir.resolve("timed.db"), Fixtures.KEY, clock, Store.Sync.FULL)) {
            PeerId bob = peer();
            byte[] session = established(timed, bob);
            timed.inTransaction(tx -> tx.saveRoute(new SessionRoute(session, random(32), random(32), null, null)));
            timed.inTransaction(tx -> tx.saveSession(session, ME, bob, SessionStatus.CLOSED, text("s"), null));
            clock.advance(Tx.CLOSED_SESSION_GRACE.minusSeconds(1));
            timed.inTransaction(tx -> assertEquals(1, tx.inboxTags(ME).size(), "late messages still arrive"));
            clock.advance(java.time.Duration.ofSeconds(2));
            timed.inTransaction(tx -> assertEquals(List.of(), tx.inboxTags(ME), "then it is no longer followed"));
        }
    }

    @Test
    void confirmationAndAdvertisedEndpointAreRecorded() {
        byte[] session = established(store, peer());
        store.inTransaction(tx -> tx.saveRoute(new SessionRoute(session, random(32), random(32), random(32), null)));
        store.inTransaction(tx -> {
            assertTrue(tx.confirmRoute(session));
            assertFalse(tx.confirmRoute(session), "only once");
            tx.setAdvertised(session, "127.0.0.1:7000");
        });
        store.inTransaction(tx -> {
            SessionRoute route = tx.route(session).orElseThrow();
            assertTrue(route.confirmed());
            assertEquals("127.0.0.1:7000", route.advertised());
        });
    }

    @Test
    void refusesToReuseAnInboxTagOrRouteASessionTwice() {
        byte[] first = established(store, peer());
        byte[] second = established(store, peer());
        byte[] tag = random(32);
        store.inTransaction(tx -> tx.saveRoute(new SessionRoute(first, tag, random(32), null, null)));
        assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.saveRoute(new SessionRoute(second, tag, random(32), null, null))));
        assertThrows(StoreException.class, () -> store.inTransaction(
                tx -> tx.saveRoute(new SessionRoute(first, random(32), random(32), null, null))));
    }

    @Test
    void findsAnIncomingMessageByItsEnvelope() {
        byte[] session = established(store, peer());
        byte[] envelope = random(90);
        MessageId id = MessageId.random();
        store.inTransaction(tx -> tx.insertIncoming(session, id, text("hi"), envelope, Transport.DIRECT, null));
        store.inTransaction(tx -> {
            assertEquals(id, tx.incomingByEnvelope(envelope).orElseThrow().id());
            assertTrue(tx.incomingByEnvelope(random(90)).isEmpty());
        });
    }

    @Test
    void anAcknowledgementEnvelopeIsSeenOnce() {
        byte[] envelope = random(80);
        store.inTransaction(tx -> {
            assertFalse(tx.seen(envelope));
            assertTrue(tx.markSeen(envelope));
            assertFalse(tx.markSeen(envelope));
            assertTrue(tx.seen(envelope));
        });
    }
}
