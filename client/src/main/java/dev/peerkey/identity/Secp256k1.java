package dev.peerkey.identity;

import java.math.BigInteger;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/** The curve constants, in one place so every class validates against the same curve. */
final class Secp256k1 {
    private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");

    static final ECCurve CURVE = PARAMS.getCurve();
    static final ECPoint G = PARAMS.getG();
    static final BigInteger N = PARAMS.getN();
    /** Signatures with s above this are the malleable twin of a low-s one; we refuse them. */
    static final BigInteger HALF_N = N.shiftRight(1);

    private Secp256k1() {
    }

    /** True for a usable private scalar: 1 <= k <= n-1. */
    static boolean isValidPrivateKey(BigInteger k) {
        return k != null && k.signum() > 0 && k.compareTo(N) < 0;
    }

    /** Big-endian, left-padded to {@code length} bytes; the value must fit. */
    static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int skip = raw.length > length ? raw.length - length : 0; // drop the sign byte
        System.arraycopy(raw, skip, out, length - (raw.length - skip), raw.length - skip);
        return out;
    }
}
