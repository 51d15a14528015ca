package dev.peerkey.messaging;

import dev.peerkey.handshake.Peer;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.Registry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies peers against the registry (each answer checked by {@link Registry} itself) and
 * remembers an active answer for a short while, so that a burst of direct messages does not
 * cost a chain call each. A revocation or a key change therefore takes effect within {@link #MAX_AGE}.
 */
final class PeerCheck {
    /** How long an "active" answer is trusted for incoming and outgoing messages. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    /**
     * An active peer as the registry reported it in one lookup.
     *
     * @param keyIndex the number of the peer's current key (0 = the key its ID was derived from)
     */
    record Verified(Peer peer, int keyIndex) {
        PeerId id() {
            return peer.id();
        }
    }

    private record Entry(Verified verified, Instant checkedAt) { }

    private final Registry registry;
    private final Clock clock;
    private final Map<PeerId, Entry> active = new ConcurrentHashMap<>();

    PeerCheck(Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** The peer with its current key, read from the chain now; refused unless its identity is active. */
    Verified requireActive(PeerId id) {
        Optional<IdentityRecord> found = registry.lookup(id);
        String problem = problem(found, "peer " + id);
        if (problem != null) {
            active.remove(id);
            throw new PeerUnavailableException(problem);
        }
        Verified verified = new Verified(new Peer(id, found.get().publicKey()), found.get().keyIndex());
        active.put(id, new Entry(verified, clock.instant()));
        return verified;
    }

    /**
     * Our own identity, checked before a message is encrypted or anything is paid: a revoked or
     * expired identity does not send (its peers would refuse it). Cached like a peer's answer.
     *
     * @throws MessagingException saying so
     */
    void requireSelfActive(PeerId self) {
        Entry entry = active.get(self);
        if (entry != null && entry.checkedAt().plus(MAX_AGE).isAfter(clock.instant())) {
            return;
        }
        Optional<IdentityRecord> found = registry.lookup(self);
        String problem = problem(found, "our identity " + self);
        if (problem != null) {
            active.remove(self);
            throw new MessagingException("cannot send: " + problem + "; it can no longer send messages");
        }
        active.put(self, new Entry(new Verified(new Peer(self, found.get().publicKey()), found.get().keyIndex()),
                clock.instant()));
    }

    /** Why an identity cannot take part in a session, or null if it is active. */
    private static String problem(Optional<IdentityRecord> found, String who) {
        if (found.isEmpty()) {
            return who + " is not registered";
        }
        IdentityRecord record = found.get();
        return switch (record.status()) {
            case ACTIVE -> null;
            case REVOKED -> who + " was revoked at " + record.revokedAt();
            case EXPIRED -> who + " expired at " + record.validUntil();
            default -> who + " is not registered";
        };
    }

    /** Like {@link #requireActive}, answered from memory if checked within {@link #MAX_AGE}. */
    Verified requireActiveRecently(PeerId id) {
        Entry entry = active.get(id);
        if (entry != null && entry.checkedAt().plus(MAX_AGE).isAfter(clock.instant())) {
            return entry.verified();
        }
        return requireActive(id);
    }
}
