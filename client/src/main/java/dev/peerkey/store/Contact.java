package dev.peerkey.store;

import dev.peerkey.identity.PeerId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A peer the user named. {@code verifiedKey} is the peer's 64-byte registry key at the time the
 * user compared safety numbers with it; the mark holds only while the peer's key is that one.
 */
public record Contact(PeerId peer, String name, Optional<byte[]> verifiedKey, Instant createdAt) {
    public Contact {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(name, "name");
        verifiedKey = verifiedKey.map(byte[]::clone);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the user verified this contact with exactly {@code currentKey} (the 64-byte key). */
    public boolean verifiedWith(byte[] currentKey) {
        return verifiedKey.map(k -> java.util.Arrays.equals(k, currentKey)).orElse(false);
    }
}
