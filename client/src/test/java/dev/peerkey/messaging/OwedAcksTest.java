package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acknowledgements a client owes: held for the grace period unless a post on the same session
 * takes them; taken once, by whichever process of the profile gets there first; given back by a
 * post that failed, with their original time; only the identity's own sessions.
 */
class OwedAcksTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;
    final MovableClock clock = new MovableClock(T0);
    final PeerId me = PeerId.of(random(32));
    final PeerId other = PeerId.of(random(32));
    final StoreKey key = StoreKey.random();
    Store store;
    PeerId bob;
    byte[] withBob;
    byte[] withCarol;
    byte[] othersSession;
    OwedAcks owed;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), key, clock);
        withBob = random(32);
        withCarol = random(32);
        bob = PeerId.of(random(32));
        othersSession = random(32);
        store.inTransaction(tx -> {
            tx.saveSession(withBob, me, bob, SessionStatus.ESTABLISHED, random(8), null);
            tx.saveSession(withCarol, me, PeerId.of(random(32)), SessionStatus.ESTABLISHED, random(8), null);
            tx.saveSession(othersSession, other, PeerId.of(random(32)), SessionStatus.ESTABLISHED, random(8), null);
        });
        owed = new OwedAcks(store, me);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void withoutAGracePeriodEverythingIsDueAtOnce() {
        MessageId a = MessageId.random();
        owed.add(withBob, List.of(a));
        Map<ByteBuffer, List<MessageId>> due = owed.takeDue(clock.instant());
        assertEquals(List.of(a), due.get(ByteBuffer.wrap(withBob)));
        assertEquals(0, owed.size());
    }

    @Test
    void anAcknowledgementWaitsTheGracePeriodThenGoesOutAlone() {
        owed.holdFor(ChatClient.ACK_GRACE);
        MessageId a = MessageId.random();
        MessageId b = MessageId.random();
        owed.add(withBob, List.of(a));
        clock.advance(Duration.ofSeconds(3));
        owed.add(withBob, List.of(b)); // the session's oldest owed acknowledgement sets the time
        clock.advance(ChatClient.ACK_GRACE.minusSeconds(4));
        assertTrue(owed.takeDue(clock.instant()).isEmpty(), "within the grace period");
        clock.advance(Duration.ofSeconds(1));
        Map<ByteBuffer, List<MessageId>> due = owed.takeDue(clock.instant());
        assertEquals(List.of(a, b), due.get(ByteBuffer.wrap(withBob)), "both in one acknowledgement");
        assertTrue(owed.takeDue(clock.instant().plusSeconds(60)).isEmpty(), "taken once");
    }

    @Test
    void aPostTakesOnlyItsOwnSessionsAcknowledgements() {
        owed.holdFor(ChatClient.ACK_GRACE);
        MessageId forBob = MessageId.random();
        MessageId forCarol = MessageId.random();
        owed.add(withBob, List.of(forBob));
        owed.add(withCarol, List.of(forCarol));
        assertEquals(List.of(forBob), owed.take(withBob));
        assertEquals(List.of(), owed.take(withBob), "a second post has nothing to carry");
        assertEquals(1, owed.size());
        clock.advance(ChatClient.ACK_GRACE);
        assertEquals(Map.of(ByteBuffer.wrap(withCarol), List.of(forCarol)), owed.takeDue(clock.instant()));
    }

    @Test
    void whatAFailedPostGivesBackKeepsItsTime() {
        owed.holdFor(ChatClient.ACK_GRACE);
        MessageId a = MessageId.random();
        owed.add(withBob, List.of(a));
        Instant since = clock.instant();
        List<MessageId> taken = owed.take(withBob);
        clock.advance(ChatClient.ACK_GRACE);
        owed.giveBack(withBob, taken, since);
        assertEquals(List.of(a), owed.takeDue(clock.instant()).get(ByteBuffer.wrap(withBob)),
                "due at once: it has waited its grace period already");
    }

    @Test
    void takeAllIgnoresTheGracePeriodAndOtherIdentitiesSessions() {
        owed.holdFor(Duration.ofDays(1));
        MessageId a = MessageId.random();
        MessageId theirs = MessageId.random();
        owed.add(withBob, List.of(a));
        new OwedAcks(store, other).add(othersSession, List.of(theirs));
        assertTrue(owed.takeDue(clock.instant()).isEmpty());
        assertEquals(Map.of(ByteBuffer.wrap(withBob), List.of(a)), owed.takeAll());
        assertEquals(1, new OwedAcks(store, other).size(), "another identity's stay");
    }

    @Test
    void anotherProcessOfTheProfileCarriesWhatThisOneOwes() {
        owed.holdFor(ChatClient.ACK_GRACE);
        MessageId a = MessageId.random();
        owed.add(withBob, List.of(a)); // say, `listen` read it
        try (Store second = Store.open(dir.resolve("peerkey.db"), key, clock)) { // say, `send`
            assertEquals(List.of(a), new OwedAcks(second, me).take(withBob));
        }
        assertEquals(0, owed.size(), "taken once, by one process");
        clock.advance(ChatClient.ACK_GRACE);
        assertTrue(owed.takeDue(clock.instant()).isEmpty());
    }

    @Test
    void whatASessionOwesIsDroppedOnceItIsClosedForGood() {
        owed.holdFor(ChatClient.ACK_GRACE);
        MessageId a = MessageId.random();
        MessageId forCarol = MessageId.random();
        owed.add(withBob, List.of(a)); // read, then the peer is blocked within the grace period
        owed.add(withCarol, List.of(forCarol));
        store.inTransaction(tx -> tx.closeSessionsWith(me, bob));
        clock.advance(ChatClient.ACK_GRACE);
        assertEquals(Map.of(ByteBuffer.wrap(withCarol), List.of(forCarol)), owed.takeDue(clock.instant()),
                "nothing left to encrypt an acknowledgement to the closed session with");
        assertEquals(0, owed.size());
    }
}
