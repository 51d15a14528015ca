package dev.peerkey.registry;

import dev.peerkey.identity.PublicKey;
import java.util.Optional;

/**
 * An owner's signed request to register their identity, which anyone can submit and
 * pay for (see {@link Registry#submit(RegistrationRequest, org.web3j.crypto.Credentials)}).
 *
 * @param publicKey the owner's key; the identity is its hash
 * @param validUntil validity end, seconds since the epoch
 * @param signedAt the owner's timestamp, seconds since the epoch
 * @param recovery the recovery key's address the owner signed, or null for none
 * @param signature the owner's 65-byte EIP-712 signature
 */
public record RegistrationRequest(PublicKey publicKey, long validUntil, long signedAt, String recovery,
                                  byte[] signature) {
    public RegistrationRequest {
        signature = signature.clone();
    }

    /** A request without a recovery key. */
    public RegistrationRequest(PublicKey publicKey, long validUntil, long signedAt, byte[] signature) {
        this(publicKey, validUntil, signedAt, null, signature);
    }

    /** The recovery key's address, if the owner registers one. */
    public Optional<String> recoveryAddress() {
        return Optional.ofNullable(recovery);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
