package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.Envelope;
import dev.peerkey.session.RatchetKeyPair;

/**
 * The two crash-safe patterns with the real Double Ratchet and two real profiles: send =
 * advance the ratchet and queue the message in one transaction, then transmit; receive =
 * decrypt, then store the new state, the message, its envelope hash and the cursor at once.
 */
class RatchetPersistenceTest {
    private static final String CURSOR = "chain:mailbox:test";

    @TempDir
    Path dir;

    final PeerId alice = Fixtures.peer();
    final PeerId bob = Fixtures.peer();
    final byte[] sessionId = random(32);

    @Test
    void sendAndReceiveSurviveRestartsWithoutReusingAKey() {
        byte[] secret = random(32);
        byte[] ad = text("alice|bob|transcript");
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        Path aliceDb = dir.resolve("alice/peerkey.db");
        Path bobDb = dir.resolve("bob/peerkey.db");
        try (Store a = Store.open(aliceDb, Fixtures.KEY); Store b = Store.open(bobDb, Fixtures.KEY)) {
            a.inTransaction(tx -> tx.saveSession(sessionId, alice, bob, SessionStatus.ESTABLISHED,
                    DoubleRatchet.initiator(secret, bobKey.publicKey(), ad).toBytes(), null));
            b.inTransaction(tx -> tx.saveSession(sessionId, bob, alice, SessionStatus.ESTABLISHED,
                    DoubleRatchet.responder(secret, bobKey, ad).toBytes(), null));
        }

        byte[] first;
        try (Store a = Store.open(aliceDb, Fixtures.KEY)) {
            first = send(a, bob, "hello bob");
        }
        byte[] second;
        try (Store a = Store.open(aliceDb, Fixtures.KEY)) { // a restart between two sends
            second = send(a, bob, "still there?");
        }
        assertEquals(0, Envelope.parse(first).messageNumber());
        assertEquals(1, Envelope.parse(second).messageNumber(), "the restored ratchet moved on to a fresh key");

        try (Store b = Store.open(bobDb, Fixtures.KEY)) {
            assertTrue(receive(b, alice, second, 7));
            assertTrue(receive(b, alice, first, 8), "out of order within the ratchet's window");
            assertFalse(receive(b, alice, first, 8), "a redelivered envelope is dropped before decrypting");
        }
        try (Store b = Store.open(bobDb, Fixtures.KEY)) {
            assertFalse(receive(b, alice, second, 9), "also after a restart");
            b.inTransaction(tx -> {
                assertEquals(List.of("still there?", "hello bob"), tx.messages(alice, 10).stream()
                        .map(Message::text).toList());
                assertEquals(8, tx.cursor(CURSOR).orElseThrow().block());
            });
        }
    }

    @Test
    void aSendThatFailsBeforeCommitLeavesTheKeyUnused() {
        byte[] secret = random(32);
        byte[] ad = text("ad");
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        byte[] initial = DoubleRatchet.initiator(secret, bobKey.publicKey(), ad).toBytes();
        try (Store a = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            a.inTransaction(tx -> tx.saveSession(sessionId, alice, bob, SessionStatus.ESTABLISHED, initial, null));
            assertThrows(IllegalStateException.class, () -> a.inTransaction(tx -> {
                DoubleRatchet r = DoubleRatchet.fromBytes(tx.session(alice, bob).orElseThrow().state());
                byte[] envelope = r.encrypt(text("never sent"));
                tx.saveState(sessionId, r.toBytes());
                tx.insertOutgoing(sessionId, MessageId.random(), text("never sent"), envelope);
                throw new IllegalStateException("crash before commit: the envelope never left");
            }));
            // Nothing was committed and nothing was sent: the stored ratchet is the one before.
            a.inTransaction(tx -> {
                assertArrayEquals(initial, tx.session(alice, bob).orElseThrow().state());
                assertTrue(tx.undelivered(10).isEmpty());
            });
        }
    }

    /** The other identity of the pair: each store holds one end of the session. */
    private PeerId other(PeerId p) {
        return p.equals(alice) ? bob : alice;
    }

    /** Pattern (a): the envelope leaves only after the transaction that recorded it commits. */
    private byte[] send(Store store, PeerId to, String text) {
        Message queued = store.inTransactionReturning(tx -> {
            SessionRecord s = tx.session(other(to), to).orElseThrow();
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(s.state());
            byte[] envelope = ratchet.encrypt(text(text));
            tx.saveState(s.sessionId(), ratchet.toBytes());
            return tx.insertOutgoing(s.sessionId(), MessageId.random(), text(text), envelope);
        });
        byte[] onTheWire = queued.envelope(); // here a transport would carry it
        store.inTransaction(tx -> tx.markSent(queued.id(), Transport.CHAIN));
        return onTheWire;
    }

    /** Pattern (b): state, message, envelope hash and cursor in one transaction. */
    private boolean receive(Store store, PeerId from, byte[] envelope, long block) {
        return store.inTransactionReturning(tx -> {
            if (tx.seen(envelope)) {
                return false;
            }
            SessionRecord s = tx.session(other(from), from).orElseThrow();
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(s.state());
            byte[] plaintext = ratchet.decrypt(envelope);
            tx.saveState(s.sessionId(), ratchet.toBytes());
            boolean fresh = tx.insertIncoming(s.sessionId(), MessageId.random(), plaintext, envelope,
                    Transport.CHAIN, null);
            tx.setCursor(CURSOR, block, 0);
            return fresh;
        });
    }
}
