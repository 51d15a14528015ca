package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.ME;
import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.PeerId;

/** The peer key a session was made with, and the one the user accepted, survive reopening and are per pair. */
class PeerKeyTest {
    @TempDir
    Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aSessionRemembersThePeersKeyIndex() {
        byte[] session = random(32);
        store.inTransaction(tx -> {
            assertEquals(OptionalInt.empty(), tx.peerKeyIndex(session));
            tx.bindPeerKey(session, 0);
            tx.bindPeerKey(session, 2); // the initiator rebinds at finish to the key that answered
        });
        store.close();
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
        store.inTransaction(tx -> assertEquals(OptionalInt.of(2), tx.peerKeyIndex(session)));
    }

    @Test
    void theAcceptedKeyIsPerPairAndReplaced() {
        PeerId bob = peer();
        PeerId carol = peer();
        PeerId otherMe = peer();
        store.inTransaction(tx -> {
            tx.acceptPeerKey(ME, bob, 0);
            tx.acceptPeerKey(ME, bob, 1);
            tx.acceptPeerKey(otherMe, bob, 5);
        });
        store.inTransaction(tx -> {
            assertEquals(OptionalInt.of(1), tx.acceptedPeerKey(ME, bob));
            assertEquals(OptionalInt.of(5), tx.acceptedPeerKey(otherMe, bob));
            assertEquals(OptionalInt.empty(), tx.acceptedPeerKey(ME, carol));
        });
    }

    @Test
    void negativeIndexesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> store.inTransaction(tx -> tx.bindPeerKey(random(32), -1)));
        assertThrows(IllegalArgumentException.class,
                () -> store.inTransaction(tx -> tx.acceptPeerKey(ME, peer(), -1)));
    }
}
