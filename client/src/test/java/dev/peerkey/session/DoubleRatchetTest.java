package dev.peerkey.session;

import static dev.peerkey.session.Sessions.exchange;
import static dev.peerkey.session.Sessions.rejectedUnchanged;
import static dev.peerkey.session.Sessions.string;
import static dev.peerkey.session.Sessions.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DoubleRatchetTest {

    /** An envelope and the plaintext it carries. */
    private record Sent(byte[] envelope, String plaintext) {
    }

    private static List<Sent> send(DoubleRatchet from, String prefix, int count) {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String m = prefix + " #" + i;
            sent.add(new Sent(from.encrypt(text(m)), m));
        }
        return sent;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    @Test
    void conversationBothWaysWithManyRatchetSteps() {
        Sessions s = Sessions.create();
        Random random = new Random(1);
        Set<String> aliceKeys = new HashSet<>();
        Set<String> bobKeys = new HashSet<>();
        for (int turn = 0; turn < 40; turn++) {
            for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                byte[] env = s.alice.encrypt(text("from alice " + turn + "/" + i));
                aliceKeys.add(hex(Envelope.parse(env).ratchetPublicKey()));
                assertEquals("from alice " + turn + "/" + i, string(s.bob.decrypt(env)));
            }
            for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                byte[] env = s.bob.encrypt(text("from bob " + turn + "/" + i));
                bobKeys.add(hex(Envelope.parse(env).ratchetPublicKey()));
                assertEquals("from bob " + turn + "/" + i, string(s.alice.decrypt(env)));
            }
        }
        // Every turn is a DH ratchet step: a fresh ratchet key on each side.
        assertEquals(40, aliceKeys.size());
        assertEquals(40, bobKeys.size());
        assertFalse(bobKeys.contains(hex(s.bobFirstKey.publicKey())), "the responder's first key is never sent");
    }

    @Test
    void identicalPlaintextsGiveDistinctCiphertexts() {
        Sessions s = Sessions.create();
        Set<String> ciphertexts = new HashSet<>();
        byte[] same = text("same message, every time");
        for (int turn = 0; turn < 5; turn++) {
            for (int i = 0; i < 50; i++) {
                byte[] env = s.alice.encrypt(same);
                assertTrue(ciphertexts.add(hex(Envelope.parse(env).ciphertext())), "a ciphertext repeated");
                assertArrayEquals(same, s.bob.decrypt(env));
            }
            exchange(s.bob, s.alice, "ack " + turn);
        }
        assertEquals(250, ciphertexts.size());
    }

    @Test
    void outOfOrderDeliveryWithinTheWindowDecryptsEachMessageExactlyOnce() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "chain 1 first");
        List<Sent> all = new ArrayList<>(send(s.alice, "chain 1", 30)); // n = 1..30, held back
        exchange(s.bob, s.alice, "reply");                               // Alice steps her ratchet
        exchange(s.alice, s.bob, "chain 2 first");  // PN = 31: Bob stores chain 1's keys 1..30
        all.addAll(send(s.alice, "chain 2", 30));
        exchange(s.bob, s.alice, "reply 2");
        all.addAll(send(s.alice, "chain 3", 30));   // PN = 31 again
        Collections.shuffle(all, new Random(7));

        Set<String> received = new HashSet<>();
        for (Sent m : all) {
            assertTrue(received.add(string(s.bob.decrypt(m.envelope()))));
        }
        Set<String> expected = new HashSet<>();
        all.forEach(m -> expected.add(m.plaintext()));
        assertEquals(expected, received);
        for (Sent m : all) {
            rejectedUnchanged(ReplayedMessageException.class, s.bob, () -> s.bob.decrypt(m.envelope()));
        }
        exchange(s.alice, s.bob, "still in sync");
        exchange(s.bob, s.alice, "both ways");
    }

    @Test
    void everyDeliveredMessageIsRejectedAsAReplay() {
        Sessions s = Sessions.create();
        List<byte[]> toBob = new ArrayList<>();
        List<byte[]> toAlice = new ArrayList<>();
        for (int turn = 0; turn < 20; turn++) {
            for (int i = 0; i < 3; i++) {
                byte[] env = s.alice.encrypt(text("a" + turn + i));
                s.bob.decrypt(env);
                toBob.add(env);
            }
            for (int i = 0; i < 2; i++) {
                byte[] env = s.bob.encrypt(text("b" + turn + i));
                s.alice.decrypt(env);
                toAlice.add(env);
            }
        }
        for (byte[] env : toBob) {
            rejectedUnchanged(ReplayedMessageException.class, s.bob, () -> s.bob.decrypt(env));
        }
        for (byte[] env : toAlice) {
            rejectedUnchanged(ReplayedMessageException.class, s.alice, () -> s.alice.decrypt(env));
        }
        exchange(s.alice, s.bob, "replays changed nothing");
    }

    @Test
    void aReplayFromBeyondTheRememberedRatchetKeysIsStillRejected() {
        Sessions s = Sessions.create();
        byte[] first = s.alice.encrypt(text("first"));
        s.bob.decrypt(first);
        for (int turn = 0; turn < DoubleRatchet.MAX_PREVIOUS_RATCHET_KEYS + 5; turn++) {
            exchange(s.bob, s.alice, "b" + turn);
            exchange(s.alice, s.bob, "a" + turn);
        }
        // Its ratchet key is forgotten, so it is indistinguishable from a forgery; either way it is refused.
        rejectedUnchanged(TamperedMessageException.class, s.bob, () -> s.bob.decrypt(first));
    }

    @Test
    void aMessageBeyondTheSkipWindowIsRejected() {
        Sessions s = Sessions.create();
        List<Sent> sent = send(s.alice, "m", DoubleRatchet.MAX_SKIP + 2); // n = 0 .. MAX_SKIP + 1
        byte[] tooFar = sent.get(DoubleRatchet.MAX_SKIP + 1).envelope();
        MessageWindowException e = rejectedUnchanged(MessageWindowException.class, s.bob, () -> s.bob.decrypt(tooFar));
        assertTrue(e.getMessage().contains("1001 positions ahead"), e.getMessage());

        // Exactly MAX_SKIP ahead is accepted, and every skipped message still decrypts.
        Sent edge = sent.get(DoubleRatchet.MAX_SKIP);
        assertEquals(edge.plaintext(), string(s.bob.decrypt(edge.envelope())));
        assertEquals(sent.get(DoubleRatchet.MAX_SKIP + 1).plaintext(), string(s.bob.decrypt(tooFar)));
        for (Sent m : sent.subList(0, DoubleRatchet.MAX_SKIP)) {
            assertEquals(m.plaintext(), string(s.bob.decrypt(m.envelope())));
        }

        // The same bound holds inside a chain already in use (Bob is now at n = MAX_SKIP + 2).
        List<Sent> more = send(s.alice, "more", DoubleRatchet.MAX_SKIP + 2);
        byte[] tooFarAgain = more.get(DoubleRatchet.MAX_SKIP + 1).envelope();
        rejectedUnchanged(MessageWindowException.class, s.bob, () -> s.bob.decrypt(tooFarAgain));
        assertEquals(more.get(DoubleRatchet.MAX_SKIP).plaintext(),
                string(s.bob.decrypt(more.get(DoubleRatchet.MAX_SKIP).envelope())));
    }

    @Test
    void anAuthenticMessageWhosePreviousChainIsTooLongIsRejected() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "hello");
        send(s.alice, "lost", DoubleRatchet.MAX_SKIP + 1);         // Bob never sees these
        exchange(s.bob, s.alice, "reply");
        byte[] next = s.alice.encrypt(text("new chain"));           // PN = MAX_SKIP + 2, Bob is at 1
        assertEquals(DoubleRatchet.MAX_SKIP + 2, Envelope.parse(next).previousChainLength());
        rejectedUnchanged(MessageWindowException.class, s.bob, () -> s.bob.decrypt(next));
    }

    @Test
    void skippedKeysAreCappedAndTheOldestAreDiscardedFirst() {
        Sessions s = Sessions.create();
        List<List<Sent>> chains = new ArrayList<>();
        for (int chain = 0; chain < 3; chain++) {
            List<Sent> sent = send(s.alice, "chain " + chain, DoubleRatchet.MAX_SKIP + 1);
            Sent last = sent.get(DoubleRatchet.MAX_SKIP);
            assertEquals(last.plaintext(), string(s.bob.decrypt(last.envelope()))); // skips MAX_SKIP keys
            exchange(s.bob, s.alice, "reply " + chain);
            chains.add(sent.subList(0, DoubleRatchet.MAX_SKIP));
        }
        assertTrue(s.bob.toString().contains("skippedKeys=" + DoubleRatchet.MAX_SKIPPED_KEYS), s.bob.toString());
        for (Sent m : chains.get(0)) {
            rejectedUnchanged(ReplayedMessageException.class, s.bob, () -> s.bob.decrypt(m.envelope()));
        }
        for (Sent m : chains.get(1)) {
            assertEquals(m.plaintext(), string(s.bob.decrypt(m.envelope())));
        }
        for (Sent m : chains.get(2)) {
            assertEquals(m.plaintext(), string(s.bob.decrypt(m.envelope())));
        }
        assertTrue(s.bob.toString().contains("skippedKeys=0"), s.bob.toString());
    }

    @Test
    void aMessageForAnotherSessionIsRejected() {
        Sessions s = Sessions.create();
        byte[] env = s.alice.encrypt(text("for bob, in this session"));

        // Same keys, other associated data (e.g. another recipient's identity ID).
        DoubleRatchet otherAd = DoubleRatchet.responder(s.sharedSecret, s.bobFirstKey, text("alice-id|carol-id|other"));
        rejectedUnchanged(TamperedMessageException.class, otherAd, () -> otherAd.decrypt(env));

        // Another session altogether.
        Sessions other = Sessions.create();
        exchange(other.alice, other.bob, "carol's session is in use");
        rejectedUnchanged(TamperedMessageException.class, other.bob, () -> other.bob.decrypt(env));
        assertEquals("for bob, in this session", string(s.bob.decrypt(env)));
        byte[] fromBob = s.bob.encrypt(text("x"));
        rejectedUnchanged(TamperedMessageException.class, other.alice, () -> other.alice.decrypt(s.bob.encrypt(text("y"))));
        assertEquals("x", string(s.alice.decrypt(fromBob)));
    }

    @Test
    void aReflectedMessageIsRejected() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "hi");
        byte[] own = s.alice.encrypt(text("mine"));
        rejectedUnchanged(TamperedMessageException.class, s.alice, () -> s.alice.decrypt(own));
    }

    @Test
    void theResponderCannotSendFirst() {
        Sessions s = Sessions.create();
        SessionException e = rejectedUnchanged(SessionException.class, s.bob, () -> s.bob.encrypt(text("too early")));
        assertTrue(e.getMessage().contains("cannot send yet"), e.getMessage());
        exchange(s.alice, s.bob, "now");
        exchange(s.bob, s.alice, "ok");
    }

    @Test
    void restoredStateContinuesTheConversation() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "one");
        exchange(s.bob, s.alice, "two");
        List<Sent> delayed = send(s.alice, "delayed", 5);
        Sent latest = new Sent(s.alice.encrypt(text("latest")), "latest");
        assertEquals("latest", string(s.bob.decrypt(latest.envelope())));        // 5 keys skipped
        byte[] fromBob = s.bob.encrypt(text("unread by alice"));

        byte[] aliceState = s.alice.toBytes();
        byte[] bobState = s.bob.toBytes();
        DoubleRatchet alice = DoubleRatchet.fromBytes(aliceState);
        DoubleRatchet bob = DoubleRatchet.fromBytes(bobState);
        assertArrayEquals(aliceState, alice.toBytes());
        assertArrayEquals(bobState, bob.toBytes());
        assertEquals(s.bob.toString(), bob.toString());

        for (Sent m : delayed) {
            assertEquals(m.plaintext(), string(bob.decrypt(m.envelope())));
        }
        rejectedUnchanged(ReplayedMessageException.class, bob, () -> bob.decrypt(latest.envelope()));
        assertEquals("unread by alice", string(alice.decrypt(fromBob)));
        for (int turn = 0; turn < 5; turn++) {
            exchange(alice, bob, "restored a" + turn);
            exchange(bob, alice, "restored b" + turn);
        }
        // A restored responder that has not received yet also round-trips.
        Sessions fresh = Sessions.create();
        DoubleRatchet restoredBob = DoubleRatchet.fromBytes(fresh.bob.toBytes());
        exchange(fresh.alice, restoredBob, "first");
        exchange(restoredBob, fresh.alice, "answer");
    }

    @Test
    void corruptStateIsRejected() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "one");
        send(s.alice, "skipped", 3);
        exchange(s.alice, s.bob, "two");
        exchange(s.bob, s.alice, "three");
        byte[] state = s.bob.toBytes();
        for (int len = 0; len < state.length; len++) {
            byte[] truncated = Arrays.copyOf(state, len);
            CorruptStateException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                    () -> DoubleRatchet.fromBytes(truncated), "length " + len);
            Sessions.assertNoKeyMaterial(e.getMessage());
        }
        byte[] padded = Arrays.copyOf(state, state.length + 1);
        org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class, () -> DoubleRatchet.fromBytes(padded));
        byte[] otherVersion = state.clone();
        otherVersion[0] = 3;
        org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class, () -> DoubleRatchet.fromBytes(otherVersion));
        byte[] unknownFlag = state.clone();
        unknownFlag[1] |= 0x40;
        org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class, () -> DoubleRatchet.fromBytes(unknownFlag));
    }

    @Test
    void anOldCopyOfTheStateCannotReadMessagesAfterTheNextRatchetStep() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "before the compromise");
        byte[] stolen = s.bob.toBytes();                    // an attacker copies Bob's state here
        DoubleRatchet attacker = DoubleRatchet.fromBytes(stolen);

        exchange(s.bob, s.alice, "bob, still under his compromised ratchet key");
        byte[] m2 = s.alice.encrypt(text("alice answers to that key"));
        // Healing needs a fresh key from Bob: this message is still readable with the stolen key.
        assertEquals("alice answers to that key", string(attacker.decrypt(m2)));
        assertEquals("alice answers to that key", string(s.bob.decrypt(m2)));

        exchange(s.bob, s.alice, "bob, under a key generated after the compromise");
        byte[] m3 = s.alice.encrypt(text("secret again"));
        rejectedUnchanged(TamperedMessageException.class, attacker, () -> attacker.decrypt(m3));
        DoubleRatchet freshCopy = DoubleRatchet.fromBytes(stolen);
        rejectedUnchanged(TamperedMessageException.class, freshCopy, () -> freshCopy.decrypt(m3));
        assertEquals("secret again", string(s.bob.decrypt(m3)));
    }

    @Test
    void overheadIsFiftySevenBytes() {
        Sessions s = Sessions.create();
        byte[] plaintext = Sessions.random(100);
        byte[] env = s.alice.encrypt(plaintext);
        assertEquals(157, env.length);
        assertEquals(57, Envelope.OVERHEAD);
        Envelope parsed = Envelope.parse(env);
        assertEquals(1, parsed.version());
        assertEquals(0, parsed.previousChainLength());
        assertEquals(0, parsed.messageNumber());
        assertEquals(100, parsed.plaintextLength());
        assertArrayEquals(plaintext, s.bob.decrypt(env));
        assertEquals(57, s.alice.encrypt(new byte[0]).length);
        assertEquals(new byte[0].length, s.bob.decrypt(s.alice.encrypt(new byte[0])).length);
    }

    @Test
    void invalidSetupIsRefused() {
        byte[] secret = Sessions.random(32);
        byte[] bobPublic = RatchetKeyPair.generate().publicKey();
        assertRefused(() -> DoubleRatchet.initiator(new byte[31], bobPublic, Sessions.AD));
        assertRefused(() -> DoubleRatchet.initiator(secret, new byte[33], Sessions.AD));
        assertRefused(() -> DoubleRatchet.initiator(secret, bobPublic, new byte[0]));
        assertRefused(() -> DoubleRatchet.initiator(secret, new byte[32], Sessions.AD)); // u = 0, low order
        assertRefused(() -> DoubleRatchet.responder(secret, RatchetKeyPair.generate(), new byte[0]));
        assertRefused(() -> DoubleRatchet.responder(new byte[16], RatchetKeyPair.generate(), Sessions.AD));
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable call) {
        SessionException e = org.junit.jupiter.api.Assertions.assertThrows(SessionException.class, call);
        Sessions.assertNoKeyMaterial(e.getMessage());
    }

    @Test
    void toStringShowsNoKeys() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "hi");
        RatchetKeyPair pair = RatchetKeyPair.generate();
        assertEquals("RatchetKeyPair[X25519]", pair.toString());
        assertEquals("DoubleRatchet[sent=1, received=0, previousChain=0, skippedKeys=0]", s.alice.toString());
        assertEquals("DoubleRatchet[sent=0, received=1, previousChain=0, skippedKeys=0]", s.bob.toString());
        assertNotEquals(s.alice.toString(), s.bob.toString());
    }
}
