package dev.peerkey.handshake;

import static dev.peerkey.handshake.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.peerkey.identity.IdentityKey;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

class EciesTest {
    private final IdentityKey bob = IdentityKey.generate();
    private final byte[] context = "peerkey/test-context".getBytes(StandardCharsets.US_ASCII);

    @Test
    void roundTripsAnySize() {
        for (int size : new int[] {0, 1, 15, 16, 17, 300, 16 * 1024}) {
            byte[] plaintext = Fixtures.random(size);
            byte[] sealed = Ecies.seal(bob.publicKey(), plaintext, context);
            assertEquals(size + Ecies.OVERHEAD, sealed.length);
            assertArrayEquals(plaintext, Ecies.open(bob, sealed, context));
        }
        byte[] sealed = Ecies.seal(bob.publicKey(), "no context".getBytes(StandardCharsets.US_ASCII));
        assertEquals("no context", new String(Ecies.open(bob, sealed), StandardCharsets.US_ASCII));
    }

    @Test
    void formatIsVersionCompressedEphemeralKeyCiphertext() {
        byte[] plaintext = "host.example:7000".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = Ecies.seal(bob.publicKey(), plaintext, context);
        assertEquals(1, sealed[0]);
        assertTrue(sealed[1] == 0x02 || sealed[1] == 0x03, "compressed point prefix");
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("host.example"), "plaintext in clear");
        // A fresh ephemeral key each time: same plaintext, unrelated ciphertexts.
        byte[] again = Ecies.seal(bob.publicKey(), plaintext, context);
        assertFalse(Arrays.equals(Arrays.copyOfRange(sealed, 1, 34), Arrays.copyOfRange(again, 1, 34)));
        assertFalse(Arrays.equals(sealed, again));
    }

    /** Opens a sealed payload with code written from the documented format alone (JDK + curve arithmetic). */
    @Test
    void matchesAnIndependentDecryptionOfTheDocumentedFormat() throws Exception {
        byte[] plaintext = Fixtures.random(77);
        byte[] sealed = Ecies.seal(bob.publicKey(), plaintext, context);

        byte[] ephemeral = Arrays.copyOfRange(sealed, 1, 34);
        ECPoint e = CustomNamedCurves.getByName("secp256k1").getCurve().decodePoint(ephemeral);
        BigInteger d = IdentityKeys.privateScalar(bob);
        byte[] z = e.multiply(d).normalize().getAffineXCoord().getEncoded();
        assertEquals(32, z.length);
        byte[] salt = concat(ephemeral, bob.publicKey().bytes());
        byte[] okm = hkdfSha256(z, salt, "peerkey/ecies/v1".getBytes(StandardCharsets.US_ASCII), 44);

        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(okm, 0, 32, "AES"), new GCMParameterSpec(128, okm, 32, 12));
        gcm.updateAAD(concat(Arrays.copyOfRange(sealed, 0, 34), context));
        assertArrayEquals(plaintext, gcm.doFinal(sealed, 34, sealed.length - 34));
    }

    @Test
    void anotherKeyCannotOpen() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(40), context);
        SealedPayloadException e = fails(SealedPayloadException.class,
                () -> Ecies.open(IdentityKey.generate(), sealed, context));
        assertTrue(e.getMessage().contains("sealed to another key or altered"), e.getMessage());
    }

    @Test
    void anotherContextCannotOpen() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(40), context);
        fails(SealedPayloadException.class, () -> Ecies.open(bob, sealed, new byte[0]));
        fails(SealedPayloadException.class, () -> Ecies.open(bob, sealed, Fixtures.flip(context, 3)));
    }

    @Test
    void everySingleBitFlipIsRejected() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(8), context);
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] tampered = Fixtures.flip(sealed, bit);
            fails(SealedPayloadException.class, () -> Ecies.open(bob, tampered, context));
        }
    }

    @Test
    void truncatedOrExtendedIsRejected() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(8), context);
        for (int len = 0; len < sealed.length; len++) {
            byte[] cut = Arrays.copyOf(sealed, len);
            fails(SealedPayloadException.class, () -> Ecies.open(bob, cut, context));
        }
        fails(SealedPayloadException.class, () -> Ecies.open(bob, Arrays.copyOf(sealed, sealed.length + 1), context));
        fails(SealedPayloadException.class, () -> Ecies.open(bob, null, context));
    }

    @Test
    void unknownVersionIsNamed() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(8), context);
        sealed[0] = 2;
        SealedPayloadException e = fails(SealedPayloadException.class, () -> Ecies.open(bob, sealed, context));
        assertTrue(e.getMessage().contains("unknown version 2"), e.getMessage());
    }

    @Test
    void invalidEphemeralPointsAreRejected() {
        byte[] sealed = Ecies.seal(bob.publicKey(), Fixtures.random(8), context);
        // x = 5: x^3 + 7 = 132 is not a square mod p, so there is no point with that x.
        byte[] offCurve = sealed.clone();
        Arrays.fill(offCurve, 2, 34, (byte) 0);
        offCurve[33] = 5;
        // x >= p cannot be a coordinate.
        byte[] tooLarge = sealed.clone();
        Arrays.fill(tooLarge, 2, 34, (byte) 0xff);
        // Prefix 0x04 (uncompressed) or 0x00 (infinity) is not a 33-byte point.
        byte[] badPrefix = sealed.clone();
        badPrefix[1] = 0x04;
        byte[] infinity = sealed.clone();
        Arrays.fill(infinity, 1, 34, (byte) 0);
        for (byte[] bad : new byte[][] {offCurve, tooLarge, badPrefix, infinity}) {
            SealedPayloadException e = fails(SealedPayloadException.class, () -> Ecies.open(bob, bad, context));
            assertTrue(e.getMessage().contains("not a point on secp256k1"), e.getMessage());
        }
    }

    static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, pos = 0; pos < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - pos);
            System.arraycopy(t, 0, out, pos, n);
            pos += n;
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
