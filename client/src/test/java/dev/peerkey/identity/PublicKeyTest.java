package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class PublicKeyTest {
    private final PublicKey key = IdentityKeyTest.hardhat0().publicKey();

    private static String error(byte[] raw) {
        return assertThrows(MalformedKeyException.class, () -> PublicKey.fromBytes(raw)).getMessage();
    }

    @Test
    void allThreeEncodingsGiveTheSameKey() {
        byte[] xy = key.bytes();
        assertEquals(64, xy.length);
        byte[] uncompressed = key.point().getEncoded(false);
        byte[] compressed = key.point().getEncoded(true);
        assertEquals(65, uncompressed.length);
        assertEquals(33, compressed.length);
        PublicKey a = PublicKey.fromBytes(xy);
        PublicKey b = PublicKey.fromBytes(uncompressed);
        PublicKey c = PublicKey.fromBytes(compressed);
        assertEquals(key, a);
        assertEquals(key, b);
        assertEquals(key, c);
        assertEquals(key.hashCode(), c.hashCode());
        assertArrayEquals(xy, c.bytes());
        assertEquals(key.id(), c.id());
    }

    @Test
    void hexRoundTrip() {
        String hex = key.hex();
        assertTrue(hex.matches("0x[0-9a-f]{128}"), hex);
        assertEquals(key, PublicKey.fromHex(hex));
        assertEquals(key, PublicKey.fromHex(hex.substring(2)));
        assertEquals(hex, key.toString());
        assertEquals("public key is not valid hex",
                assertThrows(MalformedKeyException.class, () -> PublicKey.fromHex("0xzz")).getMessage());
        assertEquals("public key is not valid hex",
                assertThrows(MalformedKeyException.class, () -> PublicKey.fromHex(hex + "0")).getMessage());
    }

    @Test
    void wrongLengthIsReportedWithTheLength() {
        assertEquals("public key must be 64 bytes, got 63", error(new byte[63]));
        assertEquals("public key must be 64 bytes, got 0", error(new byte[0]));
        assertEquals("public key must be 64 bytes, got 66", error(new byte[66]));
        assertEquals("public key is missing", error(null));
    }

    @Test
    void wrongPrefixIsReported() {
        byte[] bad = key.point().getEncoded(false);
        bad[0] = 0x05;
        assertEquals("a 65-byte public key must start with 0x04", error(bad));
        bad[0] = 0x02; // a compressed prefix on an uncompressed key
        assertEquals("a 65-byte public key must start with 0x04", error(bad));
        byte[] compressed = key.point().getEncoded(true);
        compressed[0] = 0x04;
        assertEquals("a 33-byte compressed public key must start with 0x02 or 0x03", error(compressed));
    }

    @Test
    void pointsOffTheCurveAreRejected() {
        byte[] xy = key.bytes();
        xy[63] ^= 1; // y no longer matches x
        assertEquals("public key is not a point on secp256k1", error(xy));
        byte[] oneOne = new byte[64];
        oneOne[31] = 1;
        oneOne[63] = 1;
        assertEquals("public key is not a point on secp256k1", error(oneOne));
        byte[] tooBig = new byte[64]; // coordinates >= the field prime
        Arrays.fill(tooBig, (byte) 0xff);
        assertEquals("public key is not a point on secp256k1", error(tooBig));
        assertEquals("public key is not a point on secp256k1", error(new byte[64]));
        // x = 5: x^3 + 7 = 132 has no square root mod p, so no compressed point exists.
        byte[] noRoot = new byte[33];
        noRoot[0] = 0x02;
        noRoot[32] = 5;
        assertEquals("public key is not a point on secp256k1", error(noRoot));
    }

    @Test
    void bytesAreACopy() {
        byte[] b = key.bytes();
        b[0] ^= 1;
        assertArrayEquals(IdentityKeyTest.hardhat0().publicKey().bytes(), key.bytes());
    }
}
