package dev.peerkey.session;

import static dev.peerkey.session.Sessions.exchange;
import static dev.peerkey.session.Sessions.rejectedUnchanged;
import static dev.peerkey.session.Sessions.string;
import static dev.peerkey.session.Sessions.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class EnvelopeTest {

    @Test
    void encodesTheDocumentedLayout() {
        byte[] key = Sessions.random(32);
        byte[] ct = Sessions.random(20);
        Envelope e = Envelope.of(key, 0x01020304L, 0xFFFF_FFFEL, ct);
        byte[] b = e.encode();
        assertEquals(1 + 32 + 4 + 4 + 20, b.length);
        assertEquals(1, b[0]);
        assertArrayEquals(key, Arrays.copyOfRange(b, 1, 33));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(b, 33, 37));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE}, Arrays.copyOfRange(b, 37, 41));
        assertArrayEquals(ct, Arrays.copyOfRange(b, 41, b.length));

        Envelope parsed = Envelope.parse(b);
        assertEquals(e, parsed);
        assertEquals(e.hashCode(), parsed.hashCode());
        assertArrayEquals(key, parsed.ratchetPublicKey());
        assertEquals(0x01020304L, parsed.previousChainLength());
        assertEquals(0xFFFF_FFFEL, parsed.messageNumber());
        assertArrayEquals(ct, parsed.ciphertext());
        assertEquals(4, parsed.plaintextLength());
        assertEquals("Envelope[version=1, pn=16909060, n=4294967294, plaintext=4 bytes]", parsed.toString());
    }

    @Test
    void parseCopiesItsInput() {
        byte[] b = Envelope.of(Sessions.random(32), 1, 2, new byte[16]).encode();
        Envelope e = Envelope.parse(b);
        b[40] = 9;
        assertEquals(2, e.messageNumber());
        e.encode()[40] = 9;
        assertEquals(2, e.messageNumber());
    }

    @Test
    void strictLengthAndVersionChecks() {
        byte[] b = Envelope.of(Sessions.random(32), 0, 0, new byte[16]).encode();
        assertEquals(Envelope.OVERHEAD, b.length);
        for (int len = 0; len < Envelope.OVERHEAD; len++) {
            byte[] truncated = Arrays.copyOf(b, len);
            MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class, () -> Envelope.parse(truncated));
            Sessions.assertNoKeyMaterial(e.getMessage());
        }
        for (int v : new int[] {0, 2, 0x7F, 0x80, 0xFF}) {
            byte[] other = b.clone();
            other[0] = (byte) v;
            MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class, () -> Envelope.parse(other));
            assertTrue(e.getMessage().contains("version " + v + " is not supported"), e.getMessage());
        }
        assertThrows(MalformedEnvelopeException.class, () -> Envelope.of(new byte[31], 0, 0, new byte[16]));
        assertThrows(MalformedEnvelopeException.class, () -> Envelope.of(new byte[32], 0, 0, new byte[15]));
        assertThrows(MalformedEnvelopeException.class, () -> Envelope.of(new byte[32], -1, 0, new byte[16]));
        assertThrows(MalformedEnvelopeException.class, () -> Envelope.of(new byte[32], 0, 1L << 32, new byte[16]));
    }

    /** What flipping a bit may legitimately be reported as, given the header it produces. */
    private static Class<? extends MessageRejectedException> expectedRejection(int position, byte[] flipped,
            long chainPosition, boolean sameChain) {
        if (position == 0) {
            return MalformedEnvelopeException.class;
        }
        if (position >= Envelope.N_OFFSET && position < Envelope.HEADER_SIZE) {
            // N cannot be authenticated before its key is derived, so the header's claim decides.
            long n = Envelope.parse(flipped).messageNumber();
            if (sameChain && n < chainPosition) {
                return ReplayedMessageException.class;
            }
            if (n - (sameChain ? chainPosition : 0) > DoubleRatchet.MAX_SKIP) {
                return MessageWindowException.class;
            }
        }
        return TamperedMessageException.class;
    }

    private static void flipEveryBit(DoubleRatchet receiver, byte[] envelope, long chainPosition, boolean sameChain) {
        for (int i = 0; i < envelope.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = envelope.clone();
                flipped[i] ^= (byte) (1 << bit);
                Class<? extends MessageRejectedException> expected =
                        expectedRejection(i, flipped, chainPosition, sameChain);
                rejectedUnchanged(expected, receiver, () -> receiver.decrypt(flipped));
            }
        }
    }

    @Test
    void everyFlippedBitIsRejectedWithoutChangingState() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "one");
        exchange(s.alice, s.bob, "two");
        exchange(s.bob, s.alice, "three");
        exchange(s.alice, s.bob, "four");
        byte[] payload = Sessions.random(100);

        // The first message of a new chain: Bob would take a DH ratchet step (PN = 1, N = 0).
        exchange(s.bob, s.alice, "five");
        byte[] newChain = s.alice.encrypt(payload);
        assertEquals(1, Envelope.parse(newChain).previousChainLength());
        flipEveryBit(s.bob, newChain, 0, false);
        assertArrayEquals(payload, s.bob.decrypt(newChain));

        // A later message of the current chain (N = 3, Bob expects N = 1).
        s.alice.encrypt(text("skipped"));
        byte[] skipped = s.alice.encrypt(text("skipped too"));
        byte[] current = s.alice.encrypt(payload);
        assertEquals(3, Envelope.parse(current).messageNumber());
        flipEveryBit(s.bob, current, 1, true);
        assertArrayEquals(payload, s.bob.decrypt(current));

        // A message whose key is held in the skipped set.
        flipEveryBit(s.bob, skipped, 4, true);
        assertEquals("skipped too", string(s.bob.decrypt(skipped)));
    }

    @Test
    void truncatedEnvelopesAreRejectedWithoutChangingState() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "hello");
        byte[] env = s.alice.encrypt(Sessions.random(100));
        for (int len = 0; len < env.length; len++) {
            byte[] truncated = Arrays.copyOf(env, len);
            Class<? extends MessageRejectedException> expected =
                    len < Envelope.OVERHEAD ? MalformedEnvelopeException.class : TamperedMessageException.class;
            rejectedUnchanged(expected, s.bob, () -> s.bob.decrypt(truncated));
        }
        byte[] extended = Arrays.copyOf(env, env.length + 1);
        rejectedUnchanged(TamperedMessageException.class, s.bob, () -> s.bob.decrypt(extended));
        assertEquals(100, s.bob.decrypt(env).length);
    }

    @Test
    void unknownVersionIsRejectedWithoutChangingState() {
        Sessions s = Sessions.create();
        byte[] env = s.alice.encrypt(text("hi"));
        for (int v = 0; v < 256; v++) {
            if (v == Envelope.VERSION) {
                continue;
            }
            byte[] other = env.clone();
            other[0] = (byte) v;
            rejectedUnchanged(MalformedEnvelopeException.class, s.bob, () -> s.bob.decrypt(other));
        }
        assertEquals("hi", string(s.bob.decrypt(env)));
    }

    @Test
    void aLowOrderRatchetKeyInTheHeaderIsRejected() {
        Sessions s = Sessions.create();
        byte[] forged = Envelope.of(new byte[32], 0, 0, Sessions.random(30)).encode();
        rejectedUnchanged(TamperedMessageException.class, s.bob, () -> s.bob.decrypt(forged));
        exchange(s.alice, s.bob, "unaffected");
    }
}
