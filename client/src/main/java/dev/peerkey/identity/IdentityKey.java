package dev.peerkey.identity;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.PeerkeyException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/**
 * A peer's secp256k1 private key with its public half. The secret never leaves through
 * toString, and there is deliberately no equals: compare {@link #id()} instead.
 */
public final class IdentityKey {
    private final ECKeyPair keyPair;
    private final PublicKey publicKey;

    private IdentityKey(BigInteger privateKey) {
        byte[] uncompressed = Secp256k1.G.multiply(privateKey).normalize().getEncoded(false);
        this.publicKey = PublicKey.fromBytes(uncompressed);
        this.keyPair = new ECKeyPair(privateKey, new BigInteger(1, publicKey.bytes()));
    }

    public static IdentityKey generate() {
        return generate(new SecureRandom());
    }

    /** Rejection sampling: uniform over [1, n-1] with no modulo bias. */
    public static IdentityKey generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] buf = new byte[32];
        try {
            while (true) {
                random.nextBytes(buf);
                BigInteger k = new BigInteger(1, buf);
                if (Secp256k1.isValidPrivateKey(k)) {
                    return new IdentityKey(k);
                }
            }
        } finally {
            Arrays.fill(buf, (byte) 0);
        }
    }

    /** @throws MalformedKeyException unless 1 <= privateKey <= n-1 (the value is never echoed) */
    public static IdentityKey fromPrivateKey(BigInteger privateKey) {
        if (privateKey == null) {
            throw new MalformedKeyException("private key is missing");
        }
        if (!Secp256k1.isValidPrivateKey(privateKey)) {
            throw new MalformedKeyException(
                    "private key is out of range: it must be between 1 and the secp256k1 order minus 1");
        }
        return new IdentityKey(privateKey);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public PeerId id() {
        return publicKey.id();
    }

    /** EIP-55 checksummed address of the key. */
    public String address() {
        return publicKey.address();
    }

    /** For web3j transaction signing; holds the secret, so do not log it. */
    public Credentials credentials() {
        return Credentials.create(keyPair); // made on demand: only transactions need it
    }

    /**
     * Signs a 32-byte hash exactly as given (no Ethereum message prefix, no rehash), as
     * ecrecover expects. Returns low-s with v = 27 or 28.
     */
    public Sign.SignatureData signDigest(byte[] digest32) {
        if (digest32 == null || digest32.length != 32) {
            throw new PeerkeyException("a digest to sign must be 32 bytes, got "
                    + (digest32 == null ? 0 : digest32.length));
        }
        Sign.SignatureData sig = Sign.signMessage(digest32, keyPair, false);
        BigInteger s = new BigInteger(1, sig.getS());
        if (s.compareTo(Secp256k1.HALF_N) > 0) {
            // web3j already canonicalises; kept so a library change cannot leak high-s out.
            byte flipped = (byte) (sig.getV()[0] == 27 ? 28 : 27);
            sig = new Sign.SignatureData(flipped, sig.getR(),
                    Secp256k1.toBytes(Secp256k1.N.subtract(s), 32));
        }
        return sig;
    }

    /** The same signature as 65 bytes r || s || v, the layout Solidity's ECDSA libraries take. */
    public byte[] signatureBytes(byte[] digest32) {
        return Signatures.toBytes(signDigest(digest32));
    }

    @Override
    public String toString() {
        return "IdentityKey[id=" + id().hex() + "]";
    }
}
