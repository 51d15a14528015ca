package dev.peerkey.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.AEADBadTagException;
import javax.crypto.KeyAgreement;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Known answers from the RFCs, and the whole key schedule recomputed with independent
 * implementations (BouncyCastle's HKDF, HMAC and GCM; the JDK's X25519).
 */
class RatchetCryptoTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] okm = RatchetCrypto.hkdf(hex("000102030405060708090a0b0c"), hex("0b".repeat(22)),
                hex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(okm));
    }

    @Test
    void x25519MatchesRfc7748Section61() {
        RatchetKeyPair alice = RatchetKeyPair.fromPrivateKey(
                hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        RatchetKeyPair bob = RatchetKeyPair.fromPrivateKey(
                hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", HEX.formatHex(alice.publicKey()));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", HEX.formatHex(bob.publicKey()));
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(shared, HEX.formatHex(alice.agree(bob.publicKey(), 0)));
        assertEquals(shared, HEX.formatHex(bob.agree(alice.publicKey(), 0)));
        assertNull(alice.agree(new byte[32], 0), "a low-order point must be refused");
    }

    @Test
    void hkdfAndChainKdfMatchBouncyCastle() {
        for (int i = 0; i < 50; i++) {
            byte[] salt = Sessions.random(32);
            byte[] ikm = Sessions.random(32);
            byte[] info = Sessions.random(i);
            int length = 1 + i * 3;
            assertArrayEquals(bcHkdf(salt, ikm, info, length), RatchetCrypto.hkdf(salt, ikm, info, length));

            byte[] mk = new byte[32];
            byte[] next = new byte[32];
            RatchetCrypto.kdfChain(ikm, mk, next);
            assertArrayEquals(bcHmac(ikm, (byte) 1), mk);
            assertArrayEquals(bcHmac(ikm, (byte) 2), next);
        }
    }

    @Test
    void sealMatchesBouncyCastleGcmAndRejectsAnyChange() throws Exception {
        byte[] mk = Sessions.random(32);
        byte[] ad = Sessions.random(40);
        byte[] plaintext = Sessions.random(100);
        byte[] envelope = new byte[41 + 100 + 16];
        byte[] header = Sessions.random(41);
        System.arraycopy(header, 0, envelope, 0, 41);
        RatchetCrypto.seal(mk, ad, envelope, 41, plaintext);
        assertArrayEquals(bcSeal(mk, concat(ad, header), plaintext), Arrays.copyOfRange(envelope, 41, envelope.length));
        assertArrayEquals(plaintext, RatchetCrypto.open(mk, ad, envelope, 41));
        byte[] otherAd = ad.clone();
        otherAd[0] ^= 1;
        assertThrows(AEADBadTagException.class, () -> RatchetCrypto.open(mk, otherAd, envelope, 41));
    }

    /** Alice's first two envelopes byte for byte, then Bob's reply after his DH ratchet step. */
    @Test
    void keyScheduleMatchesAnIndependentComputation() throws Exception {
        byte[] sk = Sessions.random(32);
        byte[] ad = Sessions.AD;
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        RatchetKeyPair aliceKey = RatchetKeyPair.generate();
        DoubleRatchet alice = DoubleRatchet.initiator(sk, bobKey.publicKey(), ad, aliceKey);
        DoubleRatchet bob = DoubleRatchet.responder(sk, bobKey, ad);

        byte[] rootAndChain = bcHkdf(sk, jdkX25519(aliceKey.privateKeyRef(), bobKey.publicKey()), root(), 64);
        byte[] rk = Arrays.copyOfRange(rootAndChain, 0, 32);
        byte[] ck = Arrays.copyOfRange(rootAndChain, 32, 64);
        for (int n = 0; n < 2; n++) {
            byte[] plaintext = ("message " + n).getBytes(StandardCharsets.UTF_8);
            byte[] header = header(aliceKey.publicKey(), 0, n);
            byte[] expected = concat(header, bcSeal(bcHmac(ck, (byte) 1), concat(ad, header), plaintext));
            byte[] actual = alice.encrypt(plaintext);
            assertArrayEquals(expected, actual, "envelope " + n);
            assertArrayEquals(plaintext, bob.decrypt(actual));
            ck = bcHmac(ck, (byte) 2);
        }

        // Bob stepped: rk1, ckr = KDF_RK(sk, DH(b, A)); then a new key B2 and rk2, cks = KDF_RK(rk1, DH(B2, A)).
        byte[] reply = bob.encrypt("reply".getBytes(StandardCharsets.UTF_8));
        Envelope env = Envelope.parse(reply);
        assertEquals(0, env.previousChainLength());
        assertEquals(0, env.messageNumber());
        byte[] rk1 = Arrays.copyOfRange(
                bcHkdf(sk, jdkX25519(bobKey.privateKeyRef(), aliceKey.publicKey()), root(), 64), 0, 32);
        assertArrayEquals(rk, rk1, "both sides derive the same first root key");
        byte[] bobSending = Arrays.copyOfRange(
                bcHkdf(rk1, jdkX25519(aliceKey.privateKeyRef(), env.ratchetPublicKey()), root(), 64), 32, 64);
        byte[] header = header(env.ratchetPublicKey(), 0, 0);
        assertArrayEquals(concat(header, bcSeal(bcHmac(bobSending, (byte) 1), concat(ad, header),
                "reply".getBytes(StandardCharsets.UTF_8))), reply);
        assertEquals("reply", new String(alice.decrypt(reply), StandardCharsets.UTF_8));
    }

    private static byte[] root() {
        return "peerkey/ratchet/root".getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] header(byte[] ratchetKey, int pn, int n) {
        byte[] h = new byte[41];
        h[0] = 1;
        System.arraycopy(ratchetKey, 0, h, 1, 32);
        h[33] = (byte) (pn >>> 24);
        h[34] = (byte) (pn >>> 16);
        h[35] = (byte) (pn >>> 8);
        h[36] = (byte) pn;
        h[37] = (byte) (n >>> 24);
        h[38] = (byte) (n >>> 16);
        h[39] = (byte) (n >>> 8);
        h[40] = (byte) n;
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] bcHkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] bcHmac(byte[] key, byte input) {
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        mac.update(input);
        byte[] out = new byte[32];
        mac.doFinal(out, 0);
        return out;
    }

    /** AES-256-GCM with key and nonce from HKDF(no salt, mk, "peerkey/ratchet/message"). */
    private static byte[] bcSeal(byte[] messageKey, byte[] aad, byte[] plaintext) throws Exception {
        byte[] kn = bcHkdf(new byte[32], messageKey, "peerkey/ratchet/message".getBytes(StandardCharsets.US_ASCII), 44);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(Arrays.copyOf(kn, 32)), 128,
                Arrays.copyOfRange(kn, 32, 44), aad));
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int len = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        gcm.doFinal(out, len);
        return out;
    }

    /** X25519 from the JDK's SunEC provider, independent of BouncyCastle. */
    private static byte[] jdkX25519(byte[] privateKey, byte[] publicKey) throws Exception {
        KeyFactory kf = KeyFactory.getInstance("XDH");
        PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
        byte[] le = publicKey.clone();
        le[31] &= 0x7F; // RFC 7748: the top bit of u is ignored
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = le[31 - i];
        }
        PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        return ka.generateSecret();
    }
}
