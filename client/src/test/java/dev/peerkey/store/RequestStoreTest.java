package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.established;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

/** Contacts, blocked identities, message requests with their first messages, and expiry. */
class RequestStoreTest {
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

    private static MessageRequest request(PeerId from, Instant signedAt, RequestMessage... messages) {
        return new MessageRequest(random(32), ME, from, random(200), signedAt, Instant.EPOCH, List.of(messages));
    }

    private static RequestMessage message(String text) {
        return new RequestMessage(MessageId.random(), Instant.parse("2026-11-01T10:00:00Z"), text(text));
    }

    @Test
    void contactsAndBlocksArePerIdentityAndReplaceEachOther() {
        PeerId alice = peer();
        PeerId otherMe = peer();
        store.inTransaction(tx -> {
            assertEquals(Optional.empty(), tx.contactStatus(ME, alice));
            tx.setContactStatus(ME, alice, ContactStatus.CONTACT);
            assertEquals(Optional.of(ContactStatus.CONTACT), tx.contactStatus(ME, alice));
            assertEquals(Optional.empty(), tx.contactStatus(otherMe, alice), "another identity of the profile");
            tx.setContactStatus(ME, alice, ContactStatus.BLOCKED);
            assertEquals(Optional.of(ContactStatus.BLOCKED), tx.contactStatus(ME, alice));
            assertEquals(List.of(alice), tx.peersWithStatus(ME, ContactStatus.BLOCKED));
            assertTrue(tx.removeContactStatus(ME, alice));
            assertFalse(tx.removeContactStatus(ME, alice));
            assertEquals(Optional.empty(), tx.contactStatus(ME, alice));
        });
    }

    @Test
    void aRequestIsStoredOnceWithItsMessagesAndNeverAgainOnceHandled() {
        PeerId alice = peer();
        RequestMessage hi = message("hi Bob");
        MessageRequest first = request(alice, Instant.parse("2026-11-01T09:00:00Z"), hi, message("it's Alice"));
        store.inTransaction(tx -> {
            assertTrue(tx.saveRequest(first));
            assertFalse(tx.saveRequest(first), "a second delivery of the same request");
            assertTrue(tx.knowsRequest(first.requestId()));
        });
        List<MessageRequest> listed = store.inTransactionReturning(tx -> tx.requests(ME));
        assertEquals(1, listed.size());
        assertArrayEquals(first.requestId(), listed.get(0).requestId());
        assertArrayEquals(first.request(), listed.get(0).request());
        assertEquals(List.of("hi Bob", "it's Alice"), listed.get(0).messages().stream().map(RequestMessage::text)
                .toList());
        assertEquals(hi.id(), listed.get(0).messages().get(0).id());

        // The same messages re-signed in a new request: a new request, the same message IDs.
        MessageRequest again = new MessageRequest(random(32), ME, alice, random(200),
                Instant.parse("2026-11-01T09:30:00Z"), Instant.EPOCH, List.of(hi));
        store.inTransaction(tx -> assertTrue(tx.saveRequest(again)));
        assertEquals((Integer) 2, store.inTransactionReturning(tx -> tx.requestsFrom(ME, alice)).size());
        assertEquals((Integer) 0, store.inTransactionReturning(tx -> tx.requestsFrom(ME, peer())).size());

        assertEquals((Integer) 2, store.inTransactionReturning(tx -> tx.dropRequests(ME, alice)));
        store.inTransaction(tx -> {
            assertEquals(List.of(), tx.requests(ME));
            assertTrue(tx.knowsRequest(first.requestId()), "remembered as handled");
            assertFalse(tx.saveRequest(first), "a handled request does not come back");
        });
        assertEquals(0L, Fixtures.count(store.file(), "request_messages"), "the texts are deleted with the requests");
    }

    @Test
    void expiredRequestsAndOldHandledIdsAreDeleted() {
        PeerId alice = peer();
        MessageRequest old = request(alice, Instant.parse("2026-10-01T00:00:00Z"), message("old"));
        MessageRequest fresh = request(alice, Instant.parse("2026-11-01T00:00:00Z"), message("new"));
        byte[] handled = random(32);
        store.inTransaction(tx -> {
            tx.saveRequest(old);
            tx.saveRequest(fresh);
            tx.markRequestHandled(handled);
        });
        int deleted = store.inTransactionReturning(tx -> tx.deleteExpiredRequests(
                Instant.parse("2026-10-25T00:00:00Z"), Instant.now().minus(Duration.ofDays(1))));
        assertEquals(1, deleted);
        store.inTransaction(tx -> {
            assertEquals(1, tx.requests(ME).size());
            assertEquals("new", tx.requests(ME).get(0).messages().get(0).text());
            assertTrue(tx.knowsRequest(handled));
            tx.deleteExpiredRequests(Instant.EPOCH, Instant.now().plus(Duration.ofDays(1)));
            assertFalse(tx.knowsRequest(handled));
        });
    }

    @Test
    void closingForGoodWipesStateStopsFollowingAndFailsWhatNeverArrived() {
        PeerId alice = peer();
        byte[] session = established(store, alice);
        byte[] inbox = random(32);
        MessageId queued = MessageId.random();
        store.inTransaction(tx -> {
            tx.saveRoute(new SessionRoute(session, inbox, random(32), null, null));
            tx.insertOutgoing(session, queued, text("unsent"), text("env"));
        });
        assertEquals((Integer) 1, store.inTransactionReturning(tx -> tx.closeSessionsWith(ME, alice)));
        store.inTransaction(tx -> {
            SessionRecord s = tx.sessionById(session).orElseThrow();
            assertEquals(SessionStatus.CLOSED, s.status());
            assertNull(s.state(), "the ratchet state is wiped");
            assertTrue(tx.routeByInboxTag(inbox).isEmpty());
            assertEquals(List.of(), tx.inboxTags(ME), "its tag is no longer followed");
            assertEquals(MessageStatus.FAILED, tx.message(queued).orElseThrow().status());
            assertTrue(tx.session(ME, alice).isEmpty());
        });
    }

    @Test
    void unconfirmedIncomingSessionsExpireAndAreNoLongerFollowed() {
        TestClock clock = new TestClock();
        try (Store timed = Store.open(dir.resolve("timed.db"), Fixtures.KEY, clock, Store.Sync.FULL)) {
            byte[] waiting = random(32);
            byte[] inbox = random(32);
            timed.inTransaction(tx -> {
                tx.saveSession(waiting, ME, peer(), SessionStatus.PENDING_INCOMING, text("state"), null);
                tx.saveRoute(new SessionRoute(waiting, inbox, random(32), random(32), null));
            });
            clock.advance(Duration.ofMinutes(59));
            assertEquals((Integer) 0, timed.inTransactionReturning(tx -> tx.expireUnconfirmedIncoming(
                    Duration.ofHours(1))));
            timed.inTransaction(tx -> assertEquals(1, tx.inboxTags(ME).size()));
            clock.advance(Duration.ofMinutes(2));
            assertEquals((Integer) 1, timed.inTransactionReturning(tx -> tx.expireUnconfirmedIncoming(
                    Duration.ofHours(1))));
            timed.inTransaction(tx -> {
                assertEquals(List.of(), tx.inboxTags(ME));
                assertEquals(SessionStatus.CLOSED, tx.sessionById(waiting).orElseThrow().status());
                assertNull(tx.sessionById(waiting).orElseThrow().state());
            });
        }
    }

    @Test
    void carriedMessagesMoveToTheNewestRequestAndAreDeliveredWithIt() {
        PeerId alice = peer();
        byte[] firstRequest = random(32);
        byte[] secondRequest = random(32);
        MessageId hi = MessageId.random();
        store.inTransaction(tx -> {
            tx.saveSession(firstRequest, ME, alice, SessionStatus.PENDING_OUTGOING, null, null);
            tx.insertOutgoing(firstRequest, hi, text("hi"), new byte[0]);
            tx.markSent(hi, Transport.CHAIN);
        });
        assertEquals(List.of(hi), store.inTransactionReturning(tx -> tx.carriedMessages(ME, alice)).stream()
                .map(Message::id).toList());
        store.inTransaction(tx -> {
            tx.saveSession(secondRequest, ME, alice, SessionStatus.PENDING_OUTGOING, null, null);
            tx.moveOutgoing(hi, secondRequest);
            assertTrue(tx.sessionById(firstRequest).isEmpty(), "the emptied request's session is gone");
            assertEquals(1, tx.carriedMessages(ME, alice).size());
            tx.saveSession(secondRequest, ME, alice, SessionStatus.ESTABLISHED, text("ratchet"), null);
            assertEquals(1, tx.markCarriedDelivered(secondRequest));
            assertEquals(MessageStatus.DELIVERED, tx.message(hi).orElseThrow().status());
            assertEquals(List.of(), tx.carriedMessages(ME, alice));
        });
    }
}
