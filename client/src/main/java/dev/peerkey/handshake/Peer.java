package dev.peerkey.handshake;

import java.util.Objects;

import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;

/**
 * The other party of a handshake as the caller verified it from the registry: its ID and its
 * current key. After a rotation the current key no longer hashes to the ID, so both are given.
 * The key is the one whose signature is accepted and to which the sealed payload is encrypted.
 */
public record Peer(PeerId id, PublicKey currentKey) {
    public Peer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(currentKey, "currentKey");
    }

    /** A peer whose key was never rotated: its ID is the hash of the key. */
    public static Peer of(PublicKey key) {
        return new Peer(key.id(), key);
    }
}
