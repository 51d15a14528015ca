package dev.peerkey.identity;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;

import org.web3j.crypto.Sign;

/** Recovering signers from 65-byte r||s||v signatures over 32-byte digests. */
public final class Signatures {
    public static final int SIGNATURE_LENGTH = 65;

    private Signatures() {
    }

    /**
     * The public key that made {@code signature65} over {@code digest32}. Accepts only what
     * the chain accepts: v of 27 or 28, r and s in range, and low s (no malleable twins).
     *
     * @throws InvalidSignatureException if the signature is malformed or recovers nothing
     */
    public static PublicKey recover(byte[] digest32, byte[] signature65) {
        if (digest32 == null || digest32.length != 32) {
            throw new InvalidSignatureException("a signed digest must be 32 bytes, got "
                    + (digest32 == null ? 0 : digest32.length));
        }
        if (signature65 == null || signature65.length != SIGNATURE_LENGTH) {
            throw new InvalidSignatureException("a signature must be 65 bytes (r, s, v), got "
                    + (signature65 == null ? 0 : signature65.length));
        }
        int v = signature65[64] & 0xff;
        if (v != 27 && v != 28) {
            throw new InvalidSignatureException("signature v must be 27 or 28, got " + v);
        }
        byte[] r = Arrays.copyOfRange(signature65, 0, 32);
        byte[] s = Arrays.copyOfRange(signature65, 32, 64);
        if (!Secp256k1.isValidPrivateKey(new BigInteger(1, r))) { // same range: [1, n-1]
            throw new InvalidSignatureException("signature r is out of range");
        }
        BigInteger sValue = new BigInteger(1, s);
        if (!Secp256k1.isValidPrivateKey(sValue)) {
            throw new InvalidSignatureException("signature s is out of range");
        }
        if (sValue.compareTo(Secp256k1.HALF_N) > 0) {
            throw new InvalidSignatureException("signature s is not canonical (high s)");
        }
        BigInteger key;
        try {
            key = Sign.signedMessageHashToKey(digest32, new Sign.SignatureData((byte) v, r, s));
        } catch (SignatureException | RuntimeException e) {
            throw new InvalidSignatureException("signature does not recover to a public key", e);
        }
        try {
            return PublicKey.fromBytes(Secp256k1.toBytes(key, 64));
        } catch (MalformedKeyException e) {
            throw new InvalidSignatureException("signature does not recover to a public key", e);
        }
    }

    /** r || s || v, each of r and s left-padded to 32 bytes. */
    static byte[] toBytes(Sign.SignatureData sig) {
        byte[] out = new byte[SIGNATURE_LENGTH];
        byte[] r = Secp256k1.toBytes(new BigInteger(1, sig.getR()), 32);
        byte[] s = Secp256k1.toBytes(new BigInteger(1, sig.getS()), 32);
        System.arraycopy(r, 0, out, 0, 32);
        System.arraycopy(s, 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return out;
    }
}
