package dev.peerkey.registry;

import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import java.time.Instant;

/**
 * A registered identity and its current key, as verified by the client.
 *
 * @param id the identity
 * @param status active, expired or revoked
 * @param publicKey the current key
 * @param keyIndex the current key's number (0 = the key the ID was derived from)
 * @param registeredAt when the current key was stored (block time)
 * @param validUntil the owner-chosen end of the current key's validity
 * @param signedAt the owner's signed timestamp for the current key
 * @param revokedAt when the identity was revoked, or null
 * @param nonce the next nonce for signed actions
 */
public record IdentityRecord(
        PeerId id,
        IdentityStatus status,
        PublicKey publicKey,
        int keyIndex,
        Instant registeredAt,
        Instant validUntil,
        Instant signedAt,
        Instant revokedAt,
        long nonce) {

    public boolean revoked() {
        return status == IdentityStatus.REVOKED;
    }
}
