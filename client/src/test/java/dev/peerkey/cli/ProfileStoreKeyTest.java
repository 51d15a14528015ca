package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.store.StoreKeyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One password per profile: the first identity's makes store.key, and no other password gets in. */
class ProfileStoreKeyTest {
    private static final char[] PASSWORD = "correct horse".toCharArray();
    private static final char[] OTHER = "wrong horse".toCharArray();

    @TempDir
    Path home;

    @Test
    void theFirstIdentityMakesTheStoreKeyAndLaterOnesShareItsPassword() throws IOException {
        Profile profile = new Profile(home, true);
        profile.addIdentity(IdentityKey.generate(), PASSWORD);
        Path file = home.resolve(StoreKeyFile.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        profile.unlockStore(PASSWORD);

        IdentityKey second = IdentityKey.generate();
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> profile.addIdentity(second, OTHER));
        assertTrue(e.getMessage().contains("every identity of a profile is encrypted under the profile's one password"),
                e.getMessage());
        assertEquals(1, profile.identities().size(), "the second identity was not stored");
        profile.addIdentity(second, PASSWORD);
        assertEquals(2, profile.identities().size());
    }

    /** A profile from before sealing gets its store key only from the password its identity's keystore takes. */
    @Test
    void anOlderProfileGetsItsStoreKeyFromTheRightPasswordOnly() throws IOException {
        Profile profile = new Profile(home, true);
        profile.addIdentity(IdentityKey.generate(), PASSWORD);
        Files.delete(home.resolve(StoreKeyFile.FILE_NAME)); // as written by the previous client

        KeystoreException e = assertThrows(KeystoreException.class, () -> profile.unlockStore(OTHER));
        assertEquals(KeystoreException.Reason.WRONG_PASSWORD, e.reason());
        assertFalse(Files.exists(home.resolve(StoreKeyFile.FILE_NAME)), "a guessed password makes no store key");
        profile.unlockStore(PASSWORD);
        assertTrue(Files.exists(home.resolve(StoreKeyFile.FILE_NAME)));
    }

    @Test
    void aProfileWithoutIdentitiesHasNoStore() {
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> new Profile(home, true).unlockStore(PASSWORD));
        assertTrue(e.getMessage().contains("has no identity yet"), e.getMessage());
    }
}
