package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.StoreKeyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile home is made 0700 and refused when others could write it or it is another user's;
 * the unlock agent's store key is checked against store.key's key-check value.
 */
class ProfileHomeTest {
    private static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static long entries(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }

    @Test
    void aNewHomeAndItsMissingParentsAreMadeOwnerOnly() throws IOException {
        Path home = dir.resolve("a/b/.peerkey");
        new Profile(home, true).addIdentity(IdentityKey.generate(), PASSWORD);
        assertEquals("rwx------", mode(home));
        assertEquals("rwx------", mode(dir.resolve("a")));
        assertTrue(Files.exists(home.resolve(StoreKeyFile.FILE_NAME)));
    }

    @Test
    void aGroupWritableHomeIsRefusedAndNothingIsWritten() throws IOException {
        refusedWithMode("rwxrwxr-x");
    }

    @Test
    void aWorldWritableHomeIsRefusedAndNothingIsWritten() throws IOException {
        refusedWithMode("rwxr-xrwx");
    }

    private void refusedWithMode(String mode) throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(mode));
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> new Profile(home, true));
        assertEquals("refusing the profile home " + home + ": it belongs to " + System.getProperty("user.name")
                + " with mode " + mode + "; a profile home must be " + System.getProperty("user.name")
                + "'s and writable by no one else: chmod 700 " + home, e.getMessage());
        assertEquals(0, entries(home), "nothing written");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        new Profile(home, true).addIdentity(IdentityKey.generate(), PASSWORD); // the fix works
    }

    /**
     * `id new` checks a home that does not exist yet when it starts and makes it only once the password
     * is typed: a directory someone made there meanwhile (world-writable, in /tmp) is checked again
     * before anything is written into it.
     */
    @Test
    void aHomeMadeByOthersAfterTheCheckIsRefusedAndNothingIsWritten() throws IOException {
        Path home = dir.resolve("late");
        Profile profile = new Profile(home, true); // checked: not there yet
        Files.createDirectory(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        PeerkeyException e = assertThrows(PeerkeyException.class,
                () -> profile.addIdentity(IdentityKey.generate(), PASSWORD));
        assertTrue(e.getMessage().startsWith("refusing the profile home " + home + ": it belongs to "
                + System.getProperty("user.name") + " with mode rwxrwxrwx"), e.getMessage());
        assertEquals(0, entries(home), "nothing written");
        assertEquals("rwxrwxrwx", mode(home));
    }

    /** A home reached through a symbolic link: fine if the link is the user's, refused if another user planted it. */
    @Test
    void aSymbolicLinkHomeMustBeTheUsersOwn() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        new Profile(link, true);
        if ("root".equals(System.getProperty("user.name"))) { // only root can give a link away
            UserPrincipal nobody = link.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.getFileAttributeView(link, java.nio.file.attribute.PosixFileAttributeView.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
            PeerkeyException e = assertThrows(PeerkeyException.class, () -> new Profile(link, true));
            assertTrue(e.getMessage().startsWith("refusing the profile home " + link + ": it is a symbolic link of nobody's"),
                    e.getMessage());
        }
    }

    @Test
    void aHomeOfAnotherUserIsRefused() throws IOException {
        Path home;
        if ("root".equals(System.getProperty("user.name"))) {
            home = Files.createDirectory(dir.resolve("theirs"));
            UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(home, nobody);
        } else {
            home = Path.of("/"); // root's, not writable by us
        }
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> new Profile(home, true));
        assertTrue(e.getMessage().startsWith("refusing the profile home " + home + ": it belongs to "), e.getMessage());
        assertTrue(e.getMessage().contains("use a profile home of your own (--home DIR)"), e.getMessage());
    }

    @Test
    void theAgentsStoreKeyMustBeTheOneStoreKeyWraps() throws IOException {
        Path home = dir.resolve("p");
        Profile profile = new Profile(home, true);
        profile.addIdentity(IdentityKey.generate(), PASSWORD);
        StoreKey own = profile.unlockStore(PASSWORD);
        profile.checkAgentStoreKey(own);
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> profile.checkAgentStoreKey(StoreKey.random()));
        assertTrue(e.getMessage().startsWith("the unlock agent's store key does not match this profile's store.key"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("run `peerkey lock` and unlock again"), e.getMessage());
    }

    @Test
    void aStoreKeyWithAGarbledCheckValueRefusesTheAgentsKey() throws IOException {
        Path home = dir.resolve("p");
        Profile profile = new Profile(home, true);
        profile.addIdentity(IdentityKey.generate(), PASSWORD);
        StoreKey own = profile.unlockStore(PASSWORD);
        Path file = home.resolve(StoreKeyFile.FILE_NAME);
        Files.writeString(file, Files.readString(file).replaceAll("\"check\"\\s*:\\s*\"[0-9a-f]+\"",
                "\"check\" : \"00\""));
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> profile.checkAgentStoreKey(own));
        assertTrue(e.getMessage().startsWith("the unlock agent holds a store key but " + file + " cannot be read"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("run `peerkey lock` and unlock again"), e.getMessage());
    }

    /** A store.key from before key-check values cannot tell; the next unwrap with the password adds the value. */
    @Test
    void anOlderStoreKeyGetsItsCheckValueWhenUnwrappedWithThePassword() throws IOException {
        Path home = dir.resolve("p");
        Profile profile = new Profile(home, true);
        profile.addIdentity(IdentityKey.generate(), PASSWORD);
        Path file = home.resolve(StoreKeyFile.FILE_NAME);
        String json = Files.readString(file);
        String old = json.replaceAll(",\\s*\"check\"\\s*:\\s*\"[0-9a-f]+\"", "");
        assertFalse(old.contains("check"), old);
        Files.writeString(file, old, StandardCharsets.UTF_8);
        assertTrue(StoreKeyFile.check(file).isEmpty());
        profile.checkAgentStoreKey(StoreKey.random()); // cannot tell: taken, as before

        StoreKey own = profile.unlockStore(PASSWORD);
        assertTrue(StoreKeyFile.check(file).isPresent());
        assertEquals("rw-------", mode(file));
        profile.checkAgentStoreKey(own);
        assertThrows(PeerkeyException.class, () -> profile.checkAgentStoreKey(StoreKey.random()));
        assertEquals(own.toString(), StoreKeyFile.unlock(file, PASSWORD).toString());
    }
}
