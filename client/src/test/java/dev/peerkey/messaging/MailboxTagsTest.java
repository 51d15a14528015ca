package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.IdentityKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Mailbox tags change every UTC day; both sides compute the same ones. */
class MailboxTagsTest {
    private static final Handshake HANDSHAKE = new Handshake(
            new HandshakeTypedData(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    private static final LocalIdentity ALICE = LocalIdentity.of(IdentityKey.generate());
    private static final LocalIdentity BOB = LocalIdentity.of(IdentityKey.generate());

    /** Alice's and Bob's keys of one fresh session. */
    private static SessionKeys[] handshake() {
        Instant now = Instant.now();
        PendingHandshake pending = HANDSHAKE.start(ALICE, BOB.asPeer(), now, null);
        Acceptance acceptance = HANDSHAKE.accept(BOB, ALICE.asPeer(), pending.request(), now, null);
        return new SessionKeys[] {HANDSHAKE.finish(pending, acceptance.accept()), acceptance.keys()};
    }

    @Test
    void bothSidesDeriveTheSameKeyAndTags() {
        SessionKeys[] keys = handshake();
        byte[] aliceKey = MailboxTags.key(keys[0]);
        byte[] bobKey = MailboxTags.key(keys[1]);
        assertArrayEquals(aliceKey, bobKey);
        long today = MailboxTags.epochOf(Instant.now());
        // What Alice tags a post to Bob with is what Bob's follower asks for, and back.
        assertArrayEquals(MailboxTags.tag(aliceKey, BOB.id(), today), MailboxTags.tag(bobKey, BOB.id(), today));
        assertFalse(Arrays.equals(MailboxTags.tag(aliceKey, BOB.id(), today), MailboxTags.tag(aliceKey, ALICE.id(), today)),
                "one tag per direction");
    }

    @Test
    void tagsDifferFromDayToDayAndFromSessionToSession() {
        byte[] key = MailboxTags.key(handshake()[0]);
        Set<String> seen = new HashSet<>();
        for (long epoch = 20_000; epoch < 20_030; epoch++) {
            assertEquals(true, seen.add(Arrays.toString(MailboxTags.tag(key, BOB.id(), epoch))), "day " + epoch);
        }
        byte[] otherSession = MailboxTags.key(handshake()[0]);
        assertFalse(Arrays.equals(MailboxTags.tag(key, BOB.id(), 20_000), MailboxTags.tag(otherSession, BOB.id(), 20_000)));
    }

    @Test
    void theKeyIsNotTheDirectTransportsTagSoThatOneRevealsNoMailboxTag() {
        SessionKeys keys = handshake()[0];
        byte[] key = MailboxTags.key(keys);
        SessionTags direct = SessionTags.of(keys);
        for (byte[] tag : List.of(direct.inbox(), direct.outbox())) {
            assertFalse(Arrays.equals(key, tag));
            assertFalse(Arrays.equals(MailboxTags.tag(key, BOB.id(), MailboxTags.epochOf(Instant.now())), tag));
        }
    }

    @Test
    void anEpochIsOneUtcDay() {
        assertEquals(0, MailboxTags.epochOf(Instant.parse("1970-01-01T23:59:59.999Z")));
        assertEquals(1, MailboxTags.epochOf(Instant.parse("1970-01-02T00:00:00Z")));
        long day = MailboxTags.epochOf(Instant.parse("2026-11-23T00:00:00Z"));
        assertEquals(day, MailboxTags.epochOf(Instant.parse("2026-11-23T23:59:59.999Z")));
        assertEquals(day + 1, MailboxTags.epochOf(Instant.parse("2026-11-24T00:00:00Z")));
        assertEquals(-1, MailboxTags.epochOf(Instant.parse("1969-12-31T23:00:00Z")));
    }
}
