package dev.peerkey.handshake;

import static dev.peerkey.handshake.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.peerkey.identity.PeerId;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

class KeyScheduleTest {
    /**
     * X25519 public keys for which every agreement is all zeros: u = 0, u = 1, the two points of
     * order 8, and p - 1, p, p + 1 (little-endian, as on the wire).
     */
    static final String[] LOW_ORDER = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };

    private final EphemeralKey initiatorKey = EphemeralKey.generate();
    private final EphemeralKey responderKey = EphemeralKey.generate();
    private final byte[] requestId = Fixtures.random(32);
    private final PeerId alice = PeerId.of(Fixtures.random(32));
    private final PeerId bob = PeerId.of(Fixtures.random(32));

    private KeySchedule initiator() {
        return KeySchedule.forInitiator(initiatorKey, responderKey.publicKey(), requestId, alice, bob);
    }

    private KeySchedule responder() {
        return KeySchedule.forResponder(responderKey, initiatorKey.publicKey(), requestId, alice, bob);
    }

    @Test
    void bothSidesDeriveTheSameKeys() {
        KeySchedule i = initiator();
        KeySchedule r = responder();
        assertArrayEquals(i.sharedSecret(), r.sharedSecret());
        assertArrayEquals(i.transcriptHash(), r.transcriptHash());
        assertArrayEquals(i.associatedData(), r.associatedData());
        assertArrayEquals(i.initiatorConfirmation(), r.initiatorConfirmation());
        assertArrayEquals(i.responderConfirmation(), r.responderConfirmation());
        assertEquals(32, i.sharedSecret().length);
        assertEquals(32, i.initiatorConfirmation().length);
        assertFalse(Arrays.equals(i.initiatorConfirmation(), i.responderConfirmation()));
    }

    /** Recomputes every value from the documented formulas with JDK primitives. */
    @Test
    void followsTheDocumentedDerivation() throws Exception {
        byte[] dh = new byte[32];
        assertTrue(X25519.calculateAgreement(initiatorKey.privateKey(), 0, responderKey.publicKey(), 0, dh, 0));
        byte[] transcript = MessageDigest.getInstance("SHA-256").digest(EciesTest.concat(requestId,
                initiatorKey.publicKey(), responderKey.publicKey(), alice.bytes(), bob.bytes()));
        byte[] info = EciesTest.concat("peerkey/handshake/v1".getBytes(StandardCharsets.US_ASCII), alice.bytes(),
                bob.bytes());
        byte[] okm = EciesTest.hkdfSha256(dh, transcript, info, 96);
        KeySchedule ks = initiator();
        assertArrayEquals(transcript, ks.transcriptHash());
        assertArrayEquals(Arrays.copyOfRange(okm, 0, 32), ks.sharedSecret());
        assertArrayEquals(EciesTest.concat(alice.bytes(), bob.bytes(), transcript), ks.associatedData());
        assertArrayEquals(hmac(Arrays.copyOfRange(okm, 32, 64), "peerkey/confirm/initiator", transcript),
                ks.initiatorConfirmation());
        assertArrayEquals(hmac(Arrays.copyOfRange(okm, 64, 96), "peerkey/confirm/responder", transcript),
                ks.responderConfirmation());
    }

    @Test
    void keysDependOnTranscriptAndIdentities() {
        byte[] base = initiator().sharedSecret();
        byte[] otherRequest = KeySchedule.forInitiator(initiatorKey, responderKey.publicKey(), Fixtures.random(32),
                alice, bob).sharedSecret();
        byte[] swapped = KeySchedule.forInitiator(initiatorKey, responderKey.publicKey(), requestId, bob, alice)
                .sharedSecret();
        assertFalse(Arrays.equals(base, otherRequest));
        assertFalse(Arrays.equals(base, swapped));
    }

    @Test
    void confirmationsVerifyInConstantTimeAndOnlyForTheirRole() {
        KeySchedule i = initiator();
        KeySchedule r = responder();
        assertTrue(r.verifyInitiatorConfirmation(i.initiatorConfirmation()));
        assertTrue(i.verifyResponderConfirmation(r.responderConfirmation()));
        assertFalse(i.verifyResponderConfirmation(r.initiatorConfirmation()), "tags are role-specific");
        assertFalse(r.verifyInitiatorConfirmation(i.responderConfirmation()), "tags are role-specific");
        assertFalse(i.verifyResponderConfirmation(null));
        assertFalse(i.verifyResponderConfirmation(new byte[0]));
        assertFalse(i.verifyResponderConfirmation(Arrays.copyOf(r.responderConfirmation(), 31)));
        assertFalse(i.verifyResponderConfirmation(Fixtures.flip(r.responderConfirmation(), 255)));
        // A peer with another ephemeral key derives other tags.
        KeySchedule stranger = KeySchedule.forResponder(EphemeralKey.generate(), initiatorKey.publicKey(), requestId,
                alice, bob);
        assertFalse(i.verifyResponderConfirmation(stranger.responderConfirmation()));
    }

    @Test
    void lowOrderEphemeralKeysAreRejected() {
        for (String hex : LOW_ORDER) {
            byte[] point = HexFormat.of().parseHex(hex);
            HandshakeException e = fails(HandshakeException.class,
                    () -> KeySchedule.forInitiator(initiatorKey, point, requestId, alice, bob));
            assertTrue(e.getMessage().contains("responder's ephemeral key is a low-order"), e.getMessage());
            e = fails(HandshakeException.class,
                    () -> KeySchedule.forResponder(responderKey, point, requestId, alice, bob));
            assertTrue(e.getMessage().contains("initiator's ephemeral key is a low-order"), e.getMessage());
        }
    }

    @Test
    void malformedInputsAreRejected() {
        fails(HandshakeException.class,
                () -> KeySchedule.forInitiator(initiatorKey, new byte[31], requestId, alice, bob));
        fails(HandshakeException.class,
                () -> KeySchedule.forInitiator(initiatorKey, responderKey.publicKey(), new byte[31], alice, bob));
        EphemeralKey destroyed = EphemeralKey.generate();
        destroyed.destroy();
        assertTrue(destroyed.isDestroyed());
        fails(HandshakeException.class,
                () -> KeySchedule.forInitiator(destroyed, responderKey.publicKey(), requestId, alice, bob));
        fails(HandshakeException.class, destroyed::privateKey);
    }

    @Test
    void ephemeralKeysRestoreFromTheirPrivateHalf() {
        EphemeralKey restored = EphemeralKey.fromPrivateKey(initiatorKey.privateKey());
        assertArrayEquals(initiatorKey.publicKey(), restored.publicKey());
        assertArrayEquals(initiator().sharedSecret(),
                KeySchedule.forInitiator(restored, responderKey.publicKey(), requestId, alice, bob).sharedSecret());
        fails(HandshakeException.class, () -> EphemeralKey.fromPrivateKey(new byte[16]));
    }

    @Test
    void toStringShowsNoSecrets() {
        KeySchedule ks = initiator();
        for (Object o : new Object[] {ks, initiatorKey}) {
            Fixtures.assertNoSecret(o.toString(), initiatorKey.privateKey(), ks.sharedSecret(),
                    ks.initiatorConfirmation(), ks.responderConfirmation());
        }
        assertEquals("EphemeralKey[X25519]", initiatorKey.toString());
    }

    private static byte[] hmac(byte[] key, String label, byte[] transcript) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(label.getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(transcript);
    }
}
