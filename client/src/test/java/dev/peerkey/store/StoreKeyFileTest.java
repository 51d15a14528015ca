package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.peer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.PeerId;

/** store.key: the store key wrapped under the keystore password (light scrypt here, for speed). */
class StoreKeyFileTest {
    private static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path dir;

    @Test
    void theKeyItMakesIsTheKeyItUnlocks() throws IOException {
        Path file = dir.resolve(StoreKeyFile.FILE_NAME);
        StoreKey made = StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT);
        byte[] sealed = made.seal("test", Fixtures.text("hello"));
        assertEquals("hello", new String(StoreKeyFile.unlock(file, PASSWORD).open("test", sealed), StandardCharsets.UTF_8));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1, Files.list(dir).count(), "no temporary file left");
    }

    @Test
    void aWrongPasswordIsTheKeystoresError() {
        Path file = dir.resolve(StoreKeyFile.FILE_NAME);
        StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT);
        KeystoreException e = assertThrows(KeystoreException.class,
                () -> StoreKeyFile.unlock(file, "wrong horse".toCharArray()));
        assertEquals(KeystoreException.Reason.WRONG_PASSWORD, e.reason());
        assertEquals("wrong password for the store key store.key", e.getMessage());
    }

    /** A new password re-wraps the key; the database is not touched and opens as before. */
    @Test
    void aNewPasswordOnlyRewrapsTheKey() throws IOException {
        Path file = dir.resolve(StoreKeyFile.FILE_NAME);
        Path db = dir.resolve(Store.FILE_NAME);
        PeerId bob = peer();
        try (Store store = Store.open(db, StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT))) {
            byte[] session = Fixtures.established(store, bob);
            store.inTransaction(tx -> tx.insertOutgoing(session, MessageId.random(), Fixtures.text("kept"),
                    Fixtures.text("env")));
        }
        byte[] database = Files.readAllBytes(db);
        char[] next = "battery staple".toCharArray();
        StoreKeyFile.rewrap(file, PASSWORD, next, StoreKeyFile.Kdf.LIGHT);
        assertArrayEquals(database, Files.readAllBytes(db));
        assertEquals(KeystoreException.Reason.WRONG_PASSWORD,
                assertThrows(KeystoreException.class, () -> StoreKeyFile.unlock(file, PASSWORD)).reason());
        try (Store store = Store.open(db, StoreKeyFile.unlock(file, next))) {
            assertEquals("kept", store.inTransactionReturning(tx -> tx.messages(bob, 1)).get(0).text());
        }
    }

    @Test
    void neverReplacesAnExistingKey() throws IOException {
        Path file = dir.resolve(StoreKeyFile.FILE_NAME);
        StoreKey first = StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT);
        byte[] before = Files.readAllBytes(file);
        KeystoreException e = assertThrows(KeystoreException.class,
                () -> StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT));
        assertEquals(KeystoreException.Reason.IO, e.reason());
        assertArrayEquals(before, Files.readAllBytes(file));
        byte[] sealed = first.seal("x", new byte[] {1});
        assertArrayEquals(new byte[] {1}, StoreKeyFile.unlock(file, PASSWORD).open("x", sealed));
    }

    @Test
    void aDamagedFileIsCorruptOrMissing() throws IOException {
        Path file = dir.resolve(StoreKeyFile.FILE_NAME);
        assertEquals(KeystoreException.Reason.NOT_FOUND,
                assertThrows(KeystoreException.class, () -> StoreKeyFile.unlock(file, PASSWORD)).reason());
        Files.writeString(file, "not json");
        assertEquals(KeystoreException.Reason.CORRUPT,
                assertThrows(KeystoreException.class, () -> StoreKeyFile.unlock(file, PASSWORD)).reason());
        Files.delete(file);
        StoreKeyFile.create(file, PASSWORD, StoreKeyFile.Kdf.LIGHT);
        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"n\" : 4096", "\"n\" : 1073741824"));
        KeystoreException e = assertThrows(KeystoreException.class, () -> StoreKeyFile.unlock(file, PASSWORD));
        assertEquals(KeystoreException.Reason.CORRUPT, e.reason());
        assertEquals("the store key store.key is corrupt: its scrypt parameters are out of range", e.getMessage());
    }
}
