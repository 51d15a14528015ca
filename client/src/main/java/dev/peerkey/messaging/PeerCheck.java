package dev.peerkey.messaging;

import dev.peerkey.handshake.Peer;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.Registry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
        IdentityRecord record = registry.lookup(id).orElseThrow(() -> {
            active.remove(id);
            return new PeerUnavailableException("peer " + id + " is not registered");
        });
        switch (record.status()) {
            case ACTIVE -> { }
            case REVOKED -> {
                active.remove(id);
                throw new PeerUnavailableException("peer " + id + " revoked its identity at " + record.revokedAt());
            }
            case EXPIRED -> {
                active.remove(id);
                throw new PeerUnavailableException("peer " + id + "'s identity expired at " + record.validUntil());
            }
            default -> throw new PeerUnavailableException("peer " + id + " is not registered");
        }
        Verified verified = new Verified(new Peer(id, record.publicKey()), record.keyIndex());
        active.put(id, new Entry(verified, clock.instant()));
        return verified;
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
