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
 * cost a chain call each. A revocation therefore takes effect within {@link #MAX_AGE}.
 */
final class PeerCheck {
    /** How long an "active" answer is trusted for incoming and outgoing messages. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private record Entry(Peer peer, Instant checkedAt) { }

    private final Registry registry;
    private final Clock clock;
    private final Map<PeerId, Entry> active = new ConcurrentHashMap<>();

    PeerCheck(Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** The peer with its current key, read from the chain now; refused unless its identity is active. */
    Peer requireActive(PeerId id) {
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
        Peer peer = new Peer(id, record.publicKey());
        active.put(id, new Entry(peer, clock.instant()));
        return peer;
    }

    /** Like {@link #requireActive}, answered from memory if checked within {@link #MAX_AGE}. */
    Peer requireActiveRecently(PeerId id) {
        Entry entry = active.get(id);
        if (entry != null && entry.checkedAt().plus(MAX_AGE).isAfter(clock.instant())) {
            return entry.peer();
        }
        return requireActive(id);
    }
}
