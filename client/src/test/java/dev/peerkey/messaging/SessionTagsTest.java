package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.Test;

class SessionTagsTest {
    private static final Handshake HANDSHAKE = new Handshake(
            new HandshakeTypedData(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    private static SessionKeys[] handshake() {
        LocalIdentity alice = LocalIdentity.of(IdentityKey.generate());
        LocalIdentity bob = LocalIdentity.of(IdentityKey.generate());
        Instant now = Instant.now();
        PendingHandshake pending = HANDSHAKE.start(alice, bob.asPeer(), now, null);
        Acceptance acceptance = HANDSHAKE.accept(bob, alice.asPeer(), pending.request(), now, null);
        return new SessionKeys[] {HANDSHAKE.finish(pending, acceptance.accept()), acceptance.keys()};
    }

    @Test
    void eachSideListensOnTheTagTheOtherSendsTo() {
        SessionKeys[] keys = handshake();
        SessionTags alice = SessionTags.of(keys[0]);
        SessionTags bob = SessionTags.of(keys[1]);
        assertArrayEquals(alice.outbox(), bob.inbox());
        assertArrayEquals(bob.outbox(), alice.inbox());
        assertFalse(Arrays.equals(alice.inbox(), alice.outbox()), "one tag per direction");
    }

    @Test
    void anotherSessionBetweenTheSamePeopleHasOtherTags() {
        SessionTags first = SessionTags.of(handshake()[0]);
        SessionTags second = SessionTags.of(handshake()[0]);
        assertFalse(Arrays.equals(first.inbox(), second.inbox()));
    }
}
