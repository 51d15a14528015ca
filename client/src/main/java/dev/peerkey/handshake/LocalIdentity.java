package dev.peerkey.handshake;

import java.util.Objects;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;

/**
 * This client's side of a handshake: its identity ID and the current private key of that
 * identity (after a rotation the key no longer hashes to the ID). Never prints the key.
 */
public final class LocalIdentity {
    private final PeerId id;
    private final IdentityKey key;

    private LocalIdentity(PeerId id, IdentityKey key) {
        this.id = id;
        this.key = key;
    }

    public static LocalIdentity of(PeerId id, IdentityKey currentKey) {
        return new LocalIdentity(Objects.requireNonNull(id, "id"), Objects.requireNonNull(currentKey, "currentKey"));
    }

    /** An identity whose key was never rotated: its ID is the hash of the key. */
    public static LocalIdentity of(IdentityKey key) {
        return of(key.id(), key);
    }

    public PeerId id() {
        return id;
    }

    /** The current private key: holds the secret, do not log it. */
    public IdentityKey key() {
        return key;
    }

    /** How the peer sees this identity. */
    public Peer asPeer() {
        return new Peer(id, key.publicKey());
    }

    @Override
    public String toString() {
        return "LocalIdentity[id=" + id.hex() + "]";
    }
}
