package dev.peerkey.identity;

import java.util.Arrays;

import org.bouncycastle.math.ec.ECPoint;
import org.web3j.crypto.Hash;

/**
 * A secp256k1 public key, validated to be a finite point on the curve. Stored as the
 * 64-byte x||y form because that is what the ID hashes and what the contract sees.
 */
public final class PublicKey {
    private final byte[] xy;
    private final ECPoint point;
    private final PeerId id;

    private PublicKey(byte[] xy, ECPoint point) {
        this.xy = xy;
        this.point = point;
        this.id = PeerId.of(Hash.sha3(xy));
    }

    /**
     * Accepts 64 bytes x||y, 65 bytes 0x04||x||y, or 33 bytes SEC1 compressed.
     *
     * @throws MalformedKeyException if the length, prefix or point is wrong
     */
    public static PublicKey fromBytes(byte[] raw) {
        if (raw == null) {
            throw new MalformedKeyException("public key is missing");
        }
        byte[] encoded;
        switch (raw.length) {
            case 64 -> {
                encoded = new byte[65];
                encoded[0] = 0x04;
                System.arraycopy(raw, 0, encoded, 1, 64);
            }
            case 65 -> {
                if (raw[0] != 0x04) {
                    throw new MalformedKeyException("a 65-byte public key must start with 0x04");
                }
                encoded = raw.clone();
            }
            case 33 -> {
                if (raw[0] != 0x02 && raw[0] != 0x03) {
                    throw new MalformedKeyException(
                            "a 33-byte compressed public key must start with 0x02 or 0x03");
                }
                encoded = raw.clone();
            }
            default -> throw new MalformedKeyException(
                    "public key must be 64 bytes, got " + raw.length);
        }
        ECPoint p;
        try {
            p = Secp256k1.CURVE.decodePoint(encoded).normalize();
        } catch (IllegalArgumentException | ArithmeticException e) {
            // BouncyCastle rejects coordinates >= p, off-curve points and non-residues here.
            throw new MalformedKeyException("public key is not a point on secp256k1", e);
        }
        if (p.isInfinity() || !p.isValid()) {
            throw new MalformedKeyException("public key is not a point on secp256k1");
        }
        byte[] uncompressed = p.getEncoded(false);
        return new PublicKey(Arrays.copyOfRange(uncompressed, 1, 65), p);
    }

    /** Hex of any form {@link #fromBytes} accepts; the 0x prefix is optional. */
    public static PublicKey fromHex(String hex) {
        if (hex == null) {
            throw new MalformedKeyException("public key is missing");
        }
        byte[] raw = Hex.decodeOrNull(hex);
        if (raw == null) {
            throw new MalformedKeyException("public key is not valid hex");
        }
        return fromBytes(raw);
    }

    /** The 64-byte x||y form (a copy). */
    public byte[] bytes() {
        return xy.clone();
    }

    /** "0x" followed by 128 lowercase hex digits of x||y. */
    public String hex() {
        return Hex.encode0x(xy);
    }

    public PeerId id() {
        return id;
    }

    /** The EIP-55 checksummed Ethereum address of this key. */
    public String address() {
        return id.address();
    }

    /** The point on the curve, normalised (affine coordinates). */
    public ECPoint point() {
        return point;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey other && Arrays.equals(xy, other.xy);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(xy);
    }

    @Override
    public String toString() {
        return hex();
    }
}
