package dev.peerkey.handshake;

import java.math.BigInteger;

import dev.peerkey.identity.IdentityKey;

/**
 * The one place that reaches into an {@link IdentityKey} for its private scalar, which ECIES
 * needs for ECDH. IdentityKey offers no ECDH of its own yet, so this goes through web3j's
 * Credentials; replace it with an identity-layer agreement method when one exists.
 */
final class IdentityKeys {
    private IdentityKeys() {
    }

    static BigInteger privateScalar(IdentityKey key) {
        return key.credentials().getEcKeyPair().getPrivateKey();
    }
}
