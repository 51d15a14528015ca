package dev.peerkey.handshake;

import static dev.peerkey.handshake.Fixtures.DOMAIN;
import static dev.peerkey.handshake.Fixtures.NOW;
import static dev.peerkey.handshake.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

class HandshakeTest {
    private final Handshake handshake = new Handshake(DOMAIN);
    private final LocalIdentity alice = Fixtures.identity();
    private final LocalIdentity bob = Fixtures.identity();
    private final Endpoint aliceEndpoint = Endpoint.parse("alice.example:7000");
    private final Endpoint bobEndpoint = Endpoint.parse("[::1]:7001");

    // ---- full handshake -------------------------------------------------------------------

    @Test
    void fullHandshakeAgreesOnKeysAndConfirms() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        AuthRequest request = pending.request();
        request.verify(alice.key().publicKey(), DOMAIN);
        request.verify(alice.key().publicKey(), Fixtures.CHAIN_ID, Fixtures.MESSENGER);

        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), request, NOW.plusSeconds(5), bobEndpoint);
        AuthAccept accept = acceptance.accept();
        accept.verify(bob.key().publicKey(), DOMAIN);
        accept.requireBoundTo(request, DOMAIN);
        SessionKeys responderKeys = acceptance.keys();
        SessionKeys initiatorKeys = handshake.finish(pending, accept);

        assertArrayEquals(initiatorKeys.sharedSecret(), responderKeys.sharedSecret());
        assertArrayEquals(initiatorKeys.associatedData(), responderKeys.associatedData());
        assertArrayEquals(initiatorKeys.transcriptHash(), responderKeys.transcriptHash());
        assertArrayEquals(initiatorKeys.requestId(), responderKeys.requestId());
        assertArrayEquals(request.requestId(DOMAIN), initiatorKeys.requestId());
        assertEquals(32, initiatorKeys.sharedSecret().length);
        assertArrayEquals(EciesTest.concat(alice.id().bytes(), bob.id().bytes(), initiatorKeys.transcriptHash()),
                initiatorKeys.associatedData());

        // The responder's ephemeral key is its first ratchet key, and the private half matches it.
        assertArrayEquals(accept.ephemeralKey(), initiatorKeys.responderRatchetPublicKey());
        assertArrayEquals(accept.ephemeralKey(), responderKeys.responderRatchetPublicKey());
        byte[] derived = new byte[32];
        X25519.scalarMultBase(responderKeys.responderRatchetPrivateKey(), 0, derived, 0);
        assertArrayEquals(accept.ephemeralKey(), derived);
        fails(HandshakeException.class, initiatorKeys::responderRatchetPrivateKey);

        // Key confirmation of the initiator, checked by the responder on the first message.
        assertTrue(responderKeys.verifyInitiatorConfirmation(initiatorKeys.initiatorConfirmation()));
        assertFalse(responderKeys.verifyInitiatorConfirmation(Fixtures.random(32)));

        assertEquals(SessionKeys.Role.INITIATOR, initiatorKeys.role());
        assertEquals(SessionKeys.Role.RESPONDER, responderKeys.role());
        assertEquals(alice.id(), initiatorKeys.localId());
        assertEquals(bob.id(), initiatorKeys.peerId());
        assertEquals(bob.id(), responderKeys.localId());
        assertEquals(alice.id(), responderKeys.peerId());
        assertEquals(Optional.of(bobEndpoint), initiatorKeys.peerEndpoint());
        assertEquals(Optional.of(aliceEndpoint), responderKeys.peerEndpoint());
    }

    @Test
    void endpointsNeverAppearInClear() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), pending.request(), NOW, bobEndpoint);
        String requestBytes = new String(pending.request().sealedPayload(), StandardCharsets.ISO_8859_1);
        String acceptBytes = new String(acceptance.accept().sealedPayload(), StandardCharsets.ISO_8859_1);
        assertFalse(requestBytes.contains("alice.example"));
        assertFalse(acceptBytes.contains("::1]:7001"));
        assertFalse(pending.request().toString().contains("alice.example"));
    }

    @Test
    void firstMessagesTravelSealedInTheRequestAndOnlyTheResponderReadsThem() {
        FirstMessage hi = new FirstMessage(Fixtures.random(16), NOW, "meet at noon".getBytes(StandardCharsets.UTF_8));
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null, java.util.List.of(hi));
        AuthRequest request = pending.request();
        assertFalse(new String(request.sealedPayload(), StandardCharsets.ISO_8859_1).contains("meet at noon"));
        assertEquals(java.util.List.of(hi), request.open(bob.key()).messages());
        fails(SealedPayloadException.class, () -> request.open(alice.key()));

        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), request, NOW, null);
        assertEquals(java.util.List.of(hi), acceptance.messages());
        assertArrayEquals(acceptance.keys().sharedSecret(),
                handshake.finish(pending, acceptance.accept()).sharedSecret());
        // The request ID covers the sealed payload: other messages make another request.
        PendingHandshake other = handshake.start(alice, bob.asPeer(), NOW, null, java.util.List.of(
                new FirstMessage(Fixtures.random(16), NOW, "meet at one".getBytes(StandardCharsets.UTF_8))));
        assertFalse(Arrays.equals(request.requestId(DOMAIN), other.request().requestId(DOMAIN)));
    }

    @Test
    void anAcceptCarryingMessagesIsRefused() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        FirstMessage smuggled = new FirstMessage(Fixtures.random(16), NOW, "x".getBytes(StandardCharsets.UTF_8));
        AuthAccept accept = AuthAccept.sign(DOMAIN, pending.request(), bob, alice.asPeer(),
                EphemeralKey.generate(new java.security.SecureRandom()), NOW,
                Payload.of(null, Fixtures.random(32), java.util.List.of(smuggled)));
        assertTrue(fails(SealedPayloadException.class, () -> handshake.finish(pending, accept)).getMessage()
                .contains("carries messages"));
    }

    @Test
    void handshakeWithoutEndpoints() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), pending.request(), NOW, null);
        SessionKeys keys = handshake.finish(pending, acceptance.accept());
        assertArrayEquals(keys.sharedSecret(), acceptance.keys().sharedSecret());
        assertEquals(Optional.empty(), keys.peerEndpoint());
        assertEquals(Optional.empty(), acceptance.keys().peerEndpoint());
    }

    /** After a rotation the current key no longer hashes to the ID: the handshake uses both. */
    @Test
    void handshakeWithRotatedKeys() {
        LocalIdentity rotatedAlice = LocalIdentity.of(alice.id(), IdentityKey.generate());
        LocalIdentity rotatedBob = LocalIdentity.of(bob.id(), IdentityKey.generate());
        PendingHandshake pending = handshake.start(rotatedAlice, rotatedBob.asPeer(), NOW, null);
        assertEquals(alice.id(), pending.request().initiator());
        Acceptance acceptance = handshake.accept(rotatedBob, rotatedAlice.asPeer(), pending.request(), NOW, null);
        SessionKeys keys = handshake.finish(pending, acceptance.accept());
        assertArrayEquals(keys.sharedSecret(), acceptance.keys().sharedSecret());
        // The old key of the same ID is not accepted for a request signed by the new one.
        fails(WrongSignerException.class, () -> pending.request().verify(alice.key().publicKey(), DOMAIN));
    }

    @Test
    void stepsRebuiltFromChainFieldsVerify() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        AuthRequest sent = pending.request();
        AuthRequest read = AuthRequest.of(sent.initiator(), sent.responder(), sent.ephemeralKey(),
                sent.signedAtSeconds(), sent.sealedPayload(), sent.signature());
        assertEquals(sent, read);
        assertEquals(sent.hashCode(), read.hashCode());
        assertArrayEquals(Hash.sha3(sent.sealedPayload()), read.payloadHash());
        assertEquals(NOW, read.signedAt());
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), read, NOW, null);
        AuthAccept a = acceptance.accept();
        AuthAccept readAccept = AuthAccept.of(a.requestId(), a.initiator(), a.responder(), a.ephemeralKey(),
                a.signedAtSeconds(), a.sealedPayload(), a.signature());
        assertEquals(a, readAccept);
        SessionKeys keys = handshake.finish(pending, readAccept);
        assertArrayEquals(keys.sharedSecret(), acceptance.keys().sharedSecret());
    }

    @Test
    void pendingHandshakeSurvivesARestart() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        byte[] storedKey = pending.ephemeralKey().privateKey();
        AuthRequest r = pending.request();
        PendingHandshake restored = PendingHandshake.of(alice, bob.asPeer(),
                AuthRequest.of(r.initiator(), r.responder(), r.ephemeralKey(), r.signedAtSeconds(),
                        r.sealedPayload(), r.signature()),
                EphemeralKey.fromPrivateKey(storedKey));
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), r, NOW, null);
        assertArrayEquals(acceptance.keys().sharedSecret(), handshake.finish(restored, acceptance.accept()).sharedSecret());
        fails(HandshakeException.class,
                () -> PendingHandshake.of(alice, bob.asPeer(), r, EphemeralKey.generate()));
        fails(HandshakeException.class,
                () -> PendingHandshake.of(alice, Fixtures.identity().asPeer(), r, pending.ephemeralKey()));
    }

    // ---- request IDs and digests ------------------------------------------------------------

    @Test
    void requestIdIsDeterministicAndDomainBound() {
        EphemeralKey e = EphemeralKey.generate();
        AuthRequest r = AuthRequest.sign(DOMAIN, alice, bob.asPeer(), e, NOW, Payload.empty());
        AuthRequest copy = AuthRequest.of(r.initiator(), r.responder(), r.ephemeralKey(), r.signedAtSeconds(),
                r.sealedPayload(), r.signature());
        assertArrayEquals(r.requestId(DOMAIN), copy.requestId(DOMAIN));
        assertArrayEquals(r.requestId(DOMAIN), r.requestId(new HandshakeTypedData(Fixtures.CHAIN_ID,
                Fixtures.MESSENGER.toLowerCase())));
        assertArrayEquals(r.requestId(DOMAIN), DOMAIN.authRequestDigest(r.initiator(), r.responder(),
                r.ephemeralKey(), r.signedAtSeconds(), Hash.sha3(r.sealedPayload())));
        // Sub-second parts of signedAt are dropped, as the uint40 holds whole seconds.
        AuthRequest later = AuthRequest.sign(DOMAIN, alice, bob.asPeer(), e, NOW.plusMillis(999), Payload.empty());
        assertEquals(NOW, later.signedAt());

        HandshakeTypedData otherChain = new HandshakeTypedData(1, Fixtures.MESSENGER);
        HandshakeTypedData otherMessenger = new HandshakeTypedData(Fixtures.CHAIN_ID,
                "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        assertFalse(Arrays.equals(r.requestId(DOMAIN), r.requestId(otherChain)));
        assertFalse(Arrays.equals(r.requestId(DOMAIN), r.requestId(otherMessenger)));
        // So a signature for one deployment is worthless on another.
        fails(WrongSignerException.class, () -> r.verify(alice.key().publicKey(), otherChain));
        fails(WrongSignerException.class, () -> r.verify(alice.key().publicKey(), otherMessenger));
        fails(WrongSignerException.class,
                () -> r.verify(alice.key().publicKey(), 1, Fixtures.MESSENGER));
    }

    @Test
    void acceptFromAnotherDeploymentIsRefused() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        Handshake elsewhere = new Handshake(new HandshakeTypedData(10, Fixtures.MESSENGER));
        fails(WrongSignerException.class,
                () -> elsewhere.accept(bob, alice.asPeer(), pending.request(), NOW, null));
    }

    // ---- wrong signer -----------------------------------------------------------------------

    @Test
    void acceptSignedByAnotherKeyIsRefused() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        // Mallory answers in Bob's name with her own key (as a lying node could deliver it).
        LocalIdentity mallory = LocalIdentity.of(bob.id(), IdentityKey.generate());
        AuthAccept forged = AuthAccept.sign(DOMAIN, pending.request(), mallory, alice.asPeer(),
                EphemeralKey.generate(), NOW, Payload.empty());
        WrongSignerException e = fails(WrongSignerException.class, () -> handshake.finish(pending, forged));
        assertTrue(e.getMessage().contains("auth accept was not signed by the expected key"), e.getMessage());
        fails(WrongSignerException.class, () -> forged.verify(bob.key().publicKey(), DOMAIN));
    }

    @Test
    void requestSignedByAnotherKeyIsRefused() {
        LocalIdentity mallory = LocalIdentity.of(alice.id(), IdentityKey.generate());
        AuthRequest forged = handshake.start(mallory, bob.asPeer(), NOW, null).request();
        WrongSignerException e = fails(WrongSignerException.class,
                () -> handshake.accept(bob, alice.asPeer(), forged, NOW, null));
        assertTrue(e.getMessage().contains("auth request was not signed by the expected key"), e.getMessage());
    }

    @Test
    void anAlteredSignedFieldBreaksTheSignature() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        AuthRequest r = pending.request();
        AuthRequest[] altered = {
            AuthRequest.of(r.initiator(), r.responder(), Fixtures.flip(r.ephemeralKey(), 0), r.signedAtSeconds(),
                    r.sealedPayload(), r.signature()),
            AuthRequest.of(r.initiator(), r.responder(), r.ephemeralKey(), r.signedAtSeconds() + 1,
                    r.sealedPayload(), r.signature()),
            AuthRequest.of(r.initiator(), r.responder(), r.ephemeralKey(), r.signedAtSeconds(),
                    Fixtures.flip(r.sealedPayload(), 100), r.signature()),
            AuthRequest.of(r.initiator(), Fixtures.identity().id(), r.ephemeralKey(), r.signedAtSeconds(),
                    r.sealedPayload(), r.signature()),
        };
        for (AuthRequest a : altered) {
            fails(WrongSignerException.class, () -> a.verify(alice.key().publicKey(), DOMAIN));
        }
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), r, NOW, null);
        AuthAccept a = acceptance.accept();
        AuthAccept lied = AuthAccept.of(a.requestId(), a.initiator(), a.responder(), a.ephemeralKey(),
                a.signedAtSeconds(), a.sealedPayload(), Fixtures.flip(a.signature(), 7));
        fails(WrongSignerException.class, () -> handshake.finish(pending, lied));
        // A malformed signature (v = 29) is reported the same way, with the reason.
        byte[] badV = a.signature();
        badV[64] = 29;
        AuthAccept malformed = AuthAccept.of(a.requestId(), a.initiator(), a.responder(), a.ephemeralKey(),
                a.signedAtSeconds(), a.sealedPayload(), badV);
        assertTrue(fails(WrongSignerException.class, () -> handshake.finish(pending, malformed)).getMessage()
                .contains("signature is invalid"));
    }

    // ---- binding ----------------------------------------------------------------------------

    @Test
    void acceptForAnotherRequestIsRefused() {
        PendingHandshake first = handshake.start(alice, bob.asPeer(), NOW, null);
        PendingHandshake second = handshake.start(alice, bob.asPeer(), NOW, null);
        AuthAccept answerToSecond = handshake.accept(bob, alice.asPeer(), second.request(), NOW, null).accept();
        UnboundAcceptException e = fails(UnboundAcceptException.class,
                () -> handshake.finish(first, answerToSecond));
        assertTrue(e.getMessage().contains("request ID differs"), e.getMessage());
        // The right pairing still works.
        handshake.finish(second, answerToSecond);
    }

    @Test
    void bindingNamesTheFieldThatDiffers() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        AuthRequest r = pending.request();
        AuthAccept a = handshake.accept(bob, alice.asPeer(), r, NOW, null).accept();
        PeerId carol = Fixtures.identity().id();
        AuthAccept otherInitiator = AuthAccept.of(a.requestId(), carol, a.responder(), a.ephemeralKey(),
                a.signedAtSeconds(), a.sealedPayload(), a.signature());
        AuthAccept otherResponder = AuthAccept.of(a.requestId(), a.initiator(), carol, a.ephemeralKey(),
                a.signedAtSeconds(), a.sealedPayload(), a.signature());
        assertTrue(fails(UnboundAcceptException.class, () -> otherInitiator.requireBoundTo(r, DOMAIN))
                .getMessage().contains("another initiator"));
        assertTrue(fails(UnboundAcceptException.class, () -> otherResponder.requireBoundTo(r, DOMAIN))
                .getMessage().contains("another responder"));
        fails(UnboundAcceptException.class, () -> a.requireBoundTo(r, new HandshakeTypedData(1, Fixtures.MESSENGER)));
    }

    @Test
    void requestAddressedToSomeoneElseIsRefused() {
        LocalIdentity carol = Fixtures.identity();
        AuthRequest toCarol = handshake.start(alice, carol.asPeer(), NOW, null).request();
        assertTrue(fails(HandshakeException.class, () -> handshake.accept(bob, alice.asPeer(), toCarol, NOW, null))
                .getMessage().contains("addressed to another identity"));
        fails(HandshakeException.class, () -> handshake.accept(carol, bob.asPeer(), toCarol, NOW, null));
        fails(HandshakeException.class, () -> handshake.start(alice, alice.asPeer(), NOW, null));
    }

    // ---- sealed payloads --------------------------------------------------------------------

    @Test
    void tamperedSealedPayloadIsRefusedEvenWhenSigned() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), pending.request(), NOW, bobEndpoint);
        AuthAccept a = acceptance.accept();
        byte[] sealed = a.sealedPayload();
        for (int bit : new int[] {0, 9, 8 * 20, 8 * 40 + 3, sealed.length * 8 - 1}) {
            // Re-signed by Bob's real key: the signature is fine, only the payload was altered.
            AuthAccept tampered = resignedAccept(a, Fixtures.flip(sealed, bit), bob);
            tampered.verify(bob.key().publicKey(), DOMAIN);
            fails(SealedPayloadException.class, () -> handshake.finish(pending, tampered));
        }
        AuthRequest r = pending.request();
        AuthRequest tamperedRequest = resignedRequest(r, r.ephemeralKey(), Fixtures.flip(r.sealedPayload(), 300),
                alice);
        fails(SealedPayloadException.class, () -> handshake.accept(bob, alice.asPeer(), tamperedRequest, NOW, null));
    }

    @Test
    void payloadSealedToAnotherKeyCannotBeOpened() {
        // Alice was given a wrong key for Bob (e.g. a stale one): Bob cannot open the payload.
        LocalIdentity staleBob = LocalIdentity.of(bob.id(), IdentityKey.generate());
        AuthRequest r = handshake.start(alice, staleBob.asPeer(), NOW, aliceEndpoint).request();
        fails(SealedPayloadException.class, () -> handshake.accept(bob, alice.asPeer(), r, NOW, null));
        fails(SealedPayloadException.class, () -> r.open(bob.key()));
        assertEquals(Optional.of(aliceEndpoint), r.open(staleBob.key()).endpoint());
    }

    @Test
    void aSealedPayloadCannotBeMovedToAnotherStep() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        AuthRequest r = pending.request();
        // Mallory copies Alice's sealed payload into her own signed request to Bob: the ECIES
        // context binds it to Alice's request, so Bob cannot open it there.
        LocalIdentity mallory = Fixtures.identity();
        AuthRequest copied = resignedRequest(AuthRequest.of(mallory.id(), bob.id(), r.ephemeralKey(),
                r.signedAtSeconds(), r.sealedPayload(), r.signature()), r.ephemeralKey(), r.sealedPayload(), mallory);
        fails(SealedPayloadException.class, () -> handshake.accept(bob, mallory.asPeer(), copied, NOW, null));
    }

    @Test
    void requestCarryingAConfirmationTagIsRefused() {
        EphemeralKey e = EphemeralKey.generate();
        AuthRequest r = AuthRequest.sign(DOMAIN, alice, bob.asPeer(), e, NOW, Payload.of(null, Fixtures.random(32)));
        fails(SealedPayloadException.class, () -> handshake.accept(bob, alice.asPeer(), r, NOW, null));
    }

    // ---- key confirmation -------------------------------------------------------------------

    @Test
    void wrongConfirmationTagIsRefused() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        AuthAccept wrongTag = AuthAccept.sign(DOMAIN, pending.request(), bob, alice.asPeer(), EphemeralKey.generate(),
                NOW, Payload.of(bobEndpoint, Fixtures.random(32)));
        assertTrue(fails(KeyConfirmationException.class, () -> handshake.finish(pending, wrongTag))
                .getMessage().contains("tag is wrong"));

        AuthAccept noTag = AuthAccept.sign(DOMAIN, pending.request(), bob, alice.asPeer(), EphemeralKey.generate(),
                NOW, Payload.of(bobEndpoint, null));
        assertTrue(fails(KeyConfirmationException.class, () -> handshake.finish(pending, noTag))
                .getMessage().contains("no key-confirmation tag"));

        // A tag derived with one ephemeral key, sent with another: the keys differ, so does the tag.
        AuthRequest r = pending.request();
        byte[] requestId = r.requestId(DOMAIN);
        EphemeralKey used = EphemeralKey.generate();
        KeySchedule schedule = KeySchedule.forResponder(used, r.ephemeralKey(), requestId, alice.id(), bob.id());
        AuthAccept mismatched = AuthAccept.sign(DOMAIN, r, bob, alice.asPeer(), EphemeralKey.generate(), NOW,
                Payload.of(null, schedule.responderConfirmation()));
        fails(KeyConfirmationException.class, () -> handshake.finish(pending, mismatched));
        // The correctly derived tag with the same key passes.
        AuthAccept right = AuthAccept.sign(DOMAIN, r, bob, alice.asPeer(), used, NOW,
                Payload.of(null, schedule.responderConfirmation()));
        assertArrayEquals(schedule.sharedSecret(), handshake.finish(pending, right).sharedSecret());
    }

    // ---- low-order ephemeral keys -----------------------------------------------------------

    @Test
    void lowOrderEphemeralKeysAreRefusedOnBothSides() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        AuthRequest r = pending.request();
        for (String hex : KeyScheduleTest.LOW_ORDER) {
            byte[] point = HexFormat.of().parseHex(hex);
            if (Arrays.equals(point, new byte[32])) {
                // All zeros never gets this far: the contract and AuthRequest.of refuse it.
                fails(HandshakeException.class, () -> AuthRequest.of(r.initiator(), r.responder(), point,
                        r.signedAtSeconds(), r.sealedPayload(), r.signature()));
                continue;
            }
            // Validly signed by Alice with a low-order key: Bob refuses before answering.
            byte[] sealed = Ecies.seal(bob.key().publicKey(), Payload.empty().toBytes(),
                    AuthRequest.context(alice.id(), bob.id(), point));
            AuthRequest weak = resignedRequest(r, point, sealed, alice);
            weak.verify(alice.key().publicKey(), DOMAIN);
            assertTrue(fails(HandshakeException.class, () -> handshake.accept(bob, alice.asPeer(), weak, NOW, null))
                    .getMessage().contains("low-order"));

            // Validly signed by Bob with a low-order key: Alice refuses before using it.
            byte[] acceptSealed = Ecies.seal(alice.key().publicKey(), Payload.of(null, Fixtures.random(32)).toBytes(),
                    AuthAccept.context(r.requestId(DOMAIN), alice.id(), bob.id(), point));
            AuthAccept weakAccept = signAccept(r.requestId(DOMAIN), alice.id(), bob.id(), point, r.signedAtSeconds(),
                    acceptSealed, bob);
            assertTrue(fails(HandshakeException.class, () -> handshake.finish(pending, weakAccept))
                    .getMessage().contains("low-order"));
        }
    }

    // ---- malformed values -------------------------------------------------------------------

    @Test
    void malformedStepsAreRefused() {
        AuthRequest r = handshake.start(alice, bob.asPeer(), NOW, null).request();
        fails(HandshakeException.class, () -> AuthRequest.of(alice.id(), alice.id(), r.ephemeralKey(),
                r.signedAtSeconds(), r.sealedPayload(), r.signature()));
        fails(HandshakeException.class, () -> AuthRequest.of(alice.id(), bob.id(), new byte[31],
                r.signedAtSeconds(), r.sealedPayload(), r.signature()));
        fails(HandshakeException.class, () -> AuthRequest.of(alice.id(), bob.id(), r.ephemeralKey(),
                HandshakeTypedData.MAX_UINT40 + 1, r.sealedPayload(), r.signature()));
        fails(HandshakeException.class, () -> AuthRequest.of(alice.id(), bob.id(), r.ephemeralKey(),
                r.signedAtSeconds(), new byte[AuthRequest.MAX_SEALED_PAYLOAD_LENGTH + 1], r.signature()));
        fails(HandshakeException.class, () -> AuthRequest.of(alice.id(), bob.id(), r.ephemeralKey(),
                r.signedAtSeconds(), r.sealedPayload(), new byte[64]));
        fails(HandshakeException.class, () -> AuthAccept.of(new byte[31], alice.id(), bob.id(), r.ephemeralKey(),
                r.signedAtSeconds(), r.sealedPayload(), r.signature()));
        fails(HandshakeException.class, () -> handshake.start(alice, bob.asPeer(), Instant.ofEpochSecond(-1), null));
        fails(HandshakeException.class,
                () -> handshake.start(alice, bob.asPeer(), Instant.ofEpochSecond(HandshakeTypedData.MAX_UINT40 + 1), null));
    }

    // ---- nothing secret is printed ----------------------------------------------------------

    @Test
    void toStringNeverShowsPrivateMaterial() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, aliceEndpoint);
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), pending.request(), NOW, bobEndpoint);
        SessionKeys initiatorKeys = handshake.finish(pending, acceptance.accept());
        SessionKeys responderKeys = acceptance.keys();
        byte[][] secrets = {
            pending.ephemeralKey().privateKey(),
            responderKeys.responderRatchetPrivateKey(),
            initiatorKeys.sharedSecret(),
            initiatorKeys.initiatorConfirmation(),
            new java.math.BigInteger(Fixtures.privateHex(alice.key()), 16).toByteArray(),
        };
        Object[] objects = {pending, pending.request(), pending.ephemeralKey(), acceptance, acceptance.accept(),
            initiatorKeys, responderKeys, alice, bob.asPeer(), handshake, DOMAIN};
        for (Object o : objects) {
            String s = o.toString();
            Fixtures.assertNoSecret(s, secrets);
            for (LocalIdentity who : new LocalIdentity[] {alice, bob}) {
                assertFalse(s.toLowerCase().contains(Fixtures.privateHex(who.key())), "private key in " + s);
            }
            assertFalse(s.contains("alice.example") || s.contains("::1"), "endpoint in " + s);
        }
        assertEquals("SessionKeys[role=INITIATOR, local=" + alice.id().hex() + ", peer=" + bob.id().hex() + "]",
                initiatorKeys.toString());
    }

    @Test
    void destroyedSessionKeysRefuseToHandOutSecrets() {
        PendingHandshake pending = handshake.start(alice, bob.asPeer(), NOW, null);
        Acceptance acceptance = handshake.accept(bob, alice.asPeer(), pending.request(), NOW, null);
        SessionKeys keys = acceptance.keys();
        keys.destroy();
        assertTrue(keys.isDestroyed());
        fails(HandshakeException.class, keys::sharedSecret);
        fails(HandshakeException.class, keys::responderRatchetPrivateKey);
        assertNotEquals(0, keys.associatedData().length, "public values stay available");
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static AuthRequest resignedRequest(AuthRequest r, byte[] ephemeral, byte[] sealed, LocalIdentity signer) {
        byte[] digest = DOMAIN.authRequestDigest(r.initiator(), r.responder(), ephemeral, r.signedAtSeconds(),
                Hash.sha3(sealed));
        return AuthRequest.of(r.initiator(), r.responder(), ephemeral, r.signedAtSeconds(), sealed,
                signer.key().signatureBytes(digest));
    }

    private static AuthAccept resignedAccept(AuthAccept a, byte[] sealed, LocalIdentity signer) {
        return signAccept(a.requestId(), a.initiator(), a.responder(), a.ephemeralKey(), a.signedAtSeconds(), sealed,
                signer);
    }

    private static AuthAccept signAccept(byte[] requestId, PeerId initiator, PeerId responder, byte[] ephemeral,
            long signedAt, byte[] sealed, LocalIdentity signer) {
        byte[] digest = DOMAIN.authAcceptDigest(requestId, initiator, responder, ephemeral, signedAt, Hash.sha3(sealed));
        return AuthAccept.of(requestId, initiator, responder, ephemeral, signedAt, sealed,
                signer.key().signatureBytes(digest));
    }
}
