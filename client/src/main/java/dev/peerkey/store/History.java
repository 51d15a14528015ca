package dev.peerkey.store;

import java.time.Instant;

import dev.peerkey.identity.PeerId;

/**
 * Which chat messages {@link Tx#history} returns: the newest {@code limit} that pass every filter
 * given (a null filter passes all).
 *
 * @param ourId only the messages of this identity of ours, or null
 * @param peer only the conversation with this peer, or null
 * @param since only messages stored (received, or queued to send) at or after this time, or null
 * @param outgoing whether our own messages are included (else only received ones)
 * @param unreadOnly only received messages not yet shown (outgoing ones are then left out)
 * @param limit how many at most: the newest ones
 */
public record History(PeerId ourId, PeerId peer, Instant since, boolean outgoing, boolean unreadOnly, int limit) {
    public History {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }
}
