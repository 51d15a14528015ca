package dev.peerkey.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.PeerId;

/**
 * A handshake we started or answered and that is not finished yet. {@code ephemeralPrivateKey}
 * is our secret ECDH key for it: it is stored only until the handshake completes or expires
 * (the whole database is the profile's secret store, like the keystore directory), and it is
 * never printed. Accessors return copies.
 *
 * @param requestId the handshake's 32-byte on-chain request ID
 * @param request the signed request as the messaging layer encodes it, so a restarted client can
 *     finish the handshake; null only in rows written before schema version 2
 */
public record PendingHandshake(byte[] requestId, HandshakeRole role, PeerId ourId, PeerId peer,
        byte[] ephemeralPrivateKey, Instant createdAt, Instant expiresAt, byte[] request) {

    public PendingHandshake {
        requestId = Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(ourId, "ourId");
        Objects.requireNonNull(peer, "peer");
        ephemeralPrivateKey = Bytes.copy(ephemeralPrivateKey, "ephemeralPrivateKey");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        request = Bytes.copyOrNull(request);
        if (expiresAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("a handshake cannot expire before it was created");
        }
    }

    @Override
    public byte[] requestId() {
        return requestId.clone();
    }

    @Override
    public byte[] ephemeralPrivateKey() {
        return ephemeralPrivateKey.clone();
    }

    @Override
    public byte[] request() {
        return Bytes.copyOrNull(request);
    }

    public String requestHex() {
        return Bytes.hex(requestId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingHandshake h && Arrays.equals(requestId, h.requestId)
                && role == h.role && ourId.equals(h.ourId) && peer.equals(h.peer)
                && Arrays.equals(ephemeralPrivateKey, h.ephemeralPrivateKey)
                && createdAt.equals(h.createdAt) && expiresAt.equals(h.expiresAt)
                && Arrays.equals(request, h.request);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(requestId);
    }

    @Override
    public String toString() {
        return "PendingHandshake[" + requestHex() + ", " + role + ", peer=" + peer + ", expires " + expiresAt + "]";
    }
}
