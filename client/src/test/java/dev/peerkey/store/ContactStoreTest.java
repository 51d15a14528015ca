package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named contacts: sealed names, a verified mark tied to one key, kept across reopening. */
class ContactStoreTest {
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
    void namesAreKeptRenamedAndForgotten() {
        PeerId bob = peer();
        PeerId carol = peer();
        store.inTransaction(tx -> {
            tx.nameContact(bob, "bob");
            tx.nameContact(carol, "carol");
            tx.nameContact(bob, "robert");
        });
        store.close();
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
        List<Contact> all = store.inTransactionReturning(Tx::contacts);
        assertEquals(List.of("carol", "robert"), all.stream().map(Contact::name).toList(), "by name");
        assertEquals(bob, all.get(1).peer());
        boolean forgotten = store.inTransactionReturning(tx -> tx.forgetContact(bob));
        boolean again = store.inTransactionReturning(tx -> tx.forgetContact(bob));
        assertTrue(forgotten);
        assertFalse(again, "already gone");
        assertEquals(List.of(carol), store.inTransactionReturning(Tx::contacts).stream().map(Contact::peer).toList());
    }

    @Test
    void theVerifiedMarkHoldsOnlyForTheKeyThatWasVerified() {
        PeerId bob = peer();
        byte[] key0 = random(64);
        byte[] key1 = random(64);
        boolean unnamed = store.inTransactionReturning(tx -> tx.markVerified(bob, key0));
        assertFalse(unnamed, "no mark without a name");
        store.inTransaction(tx -> {
            tx.nameContact(bob, "bob");
            assertTrue(tx.markVerified(bob, key0));
        });
        Contact c = store.inTransactionReturning(Tx::contacts).get(0);
        assertArrayEquals(key0, c.verifiedKey().orElseThrow());
        assertTrue(c.verifiedWith(key0));
        assertFalse(c.verifiedWith(key1), "a rotated key is not verified");
        store.inTransaction(tx -> tx.nameContact(bob, "bobby"));
        assertTrue(store.inTransactionReturning(Tx::contacts).get(0).verifiedWith(key0), "a rename keeps the mark");
        store.inTransaction(tx -> tx.markVerified(bob, null));
        assertTrue(store.inTransactionReturning(Tx::contacts).get(0).verifiedKey().isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> store.inTransaction(tx -> tx.markVerified(bob, random(33))));
    }

    @Test
    void aNameIsNotReadableInTheDatabaseFile() throws Exception {
        store.inTransaction(tx -> tx.nameContact(peer(), "zebediah-the-secret"));
        store.close();
        for (String file : List.of("peerkey.db", "peerkey.db-wal")) {
            Path f = dir.resolve(file);
            if (Files.exists(f)) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains("zebediah"), file + " holds the name in clear");
            }
        }
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY);
        assertEquals("zebediah-the-secret", store.inTransactionReturning(Tx::contacts).get(0).name());
    }
}
