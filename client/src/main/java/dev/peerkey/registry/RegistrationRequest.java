package dev.peerkey.registry;

import dev.peerkey.identity.PublicKey;

/**
 * An owner's signed request to register their identity, which anyone can submit and
 * pay for (see {@link Registry#submit(RegistrationRequest, org.web3j.crypto.Credentials)}).
 *
 * @param publicKey the owner's key; the identity is its hash
 * @param validUntil validity end, seconds since the epoch
 * @param signedAt the owner's timestamp, seconds since the epoch
 * @param signature the owner's 65-byte EIP-712 signature
 */
public record RegistrationRequest(PublicKey publicKey, long validUntil, long signedAt, byte[] signature) {
    public RegistrationRequest {
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
