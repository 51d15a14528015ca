package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each command a separate process, no chain needed: `id new` makes the profile home 0700 and
 * refuses (nothing written) a home others can write or another user owns; a command refuses the
 * store key of an unlock agent (a real one, started by `unlock`) that store.key does not wrap.
 */
class ProfileHomeIT {
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    private Cli cli(String home, boolean withPassword) throws IOException {
        Path password = dir.resolve("password");
        if (!Files.exists(password)) {
            Files.writeString(password, "correct horse\n");
        }
        Map<String, String> env = new HashMap<>(Map.of("PEERKEY_HOME", dir.resolve(home).toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        if (withPassword) {
            env.put("PEERKEY_PASSWORD_FILE", password.toString());
        }
        return new Cli(env);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    /** Exit 1 with exactly one line on stderr, the error. */
    private static void refused(Cli.Result result, String expected) {
        assertEquals(1, result.exitCode(), result::toString);
        assertEquals(List.of(expected), result.stderr().strip().lines().toList(), result::toString);
    }

    private static List<String> names(Path home) throws IOException {
        try (Stream<Path> s = Files.list(home)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void idNewMakesTheHomeOwnerOnly() throws IOException {
        ok(cli("new", true), "id", "new", "--fast-kdf", "--no-recovery");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
    }

    @Test
    void aHomeOthersCanWriteIsRefusedWithNothingWritten() throws IOException {
        for (String mode : List.of("rwxrwxr-x", "rwxr-xrwx")) {
            Path home = Files.createDirectory(dir.resolve("open"));
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(mode));
            refused(cli("open", true).run("id", "new", "--fast-kdf", "--no-recovery"),
                    "error: refusing the profile home " + home + ": it belongs to " + USER + " with mode " + mode
                            + "; a profile home must be " + USER + "'s and writable by no one else: chmod 700 "
                            + home);
            assertEquals(List.of(), names(home), "nothing written");
            Files.delete(home);
        }
    }

    @Test
    void aProfileWithAnOpenedHomeIsRefusedByItsCommands() throws IOException {
        Cli alice = cli("alice", true);
        ok(alice, "id", "new", "--fast-kdf", "--no-recovery");
        Path home = dir.resolve("alice");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> before = names(home);
        for (List<String> command : List.of(List.of("id", "new", "--fast-kdf", "--no-recovery"), List.of("sessions"),
                List.of("contact", "list"), List.of("unlock"))) {
            refused(alice.run(command.toArray(String[]::new)), "error: refusing the profile home " + home
                    + ": it belongs to " + USER + " with mode rwxrwxrwx; a profile home must be " + USER
                    + "'s and writable by no one else: chmod 700 " + home);
        }
        assertEquals(before, names(home), "nothing written");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        ok(alice, "sessions");
    }

    @Test
    void aHomeOfAnotherUserIsRefused() throws IOException {
        Path home = Files.createDirectory(dir.resolve("theirs"));
        String owner;
        if (USER.equals("root")) {
            UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(home, nobody);
            owner = "nobody";
        } else {
            home = Path.of("/");
            owner = Files.getOwner(home).getName();
        }
        cli("x", true); // writes the password file
        Cli.Result result = new Cli(Map.of("PEERKEY_HOME", home.toString(), "PEERKEY_PASSWORD_FILE",
                dir.resolve("password").toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()))
                .run("id", "new", "--fast-kdf", "--no-recovery");
        refused(result, "error: refusing the profile home " + home + ": it belongs to " + owner + " with mode "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(home)) + "; a profile home must be "
                + USER + "'s and writable by no one else: use a profile home of your own (--home DIR), or have it"
                + " given to " + USER + " (chown " + USER + " " + home + ")");
        if (USER.equals("root")) {
            assertEquals(List.of(), names(home), "nothing written");
        }
    }

    /**
     * A real agent holding Alice's store key while her store.key wraps another (Carol's, same
     * password): the command refuses, names the fix, and seals nothing (no database is made); once
     * store.key is Alice's again the same agent serves.
     */
    @Test
    void anAgentHoldingAKeyStoreKeyDoesNotWrapIsRefused() throws IOException {
        Cli alice = cli("alice", true);
        Cli aliceBare = cli("alice", false);
        ok(alice, "id", "new", "--fast-kdf", "--no-recovery");
        ok(cli("carol", true), "id", "new", "--fast-kdf", "--no-recovery");
        Path storeKey = dir.resolve("alice/store.key");
        ok(alice, "unlock", "--for", "10m");
        try {
            Files.copy(storeKey, dir.resolve("alice-store.key"));
            Files.copy(dir.resolve("carol/store.key"), storeKey, StandardCopyOption.REPLACE_EXISTING);
            List<String> before = names(dir.resolve("alice"));
            refused(aliceBare.run("sessions"),
                    "error: the unlock agent's store key does not match this profile's store.key (" + storeKey
                            + "): nothing was written; run `peerkey lock` and unlock again");
            assertEquals(before, names(dir.resolve("alice")), "nothing written (no database sealed under the key)");
            assertFalse(Files.exists(dir.resolve("alice/peerkey.db")));
            Files.copy(dir.resolve("alice-store.key"), storeKey, StandardCopyOption.REPLACE_EXISTING);
            ok(aliceBare, "sessions"); // the same agent, now matching store.key
            assertTrue(Files.exists(dir.resolve("alice/peerkey.db")));
        } finally {
            aliceBare.run("lock");
        }
    }

    /** A store.key written before key-check values gets one when `unlock` unwraps it with the password. */
    @Test
    void anOlderStoreKeyGetsItsCheckValueOnUnlock() throws IOException {
        Cli alice = cli("alice", true);
        Cli aliceBare = cli("alice", false);
        ok(alice, "id", "new", "--fast-kdf", "--no-recovery");
        Path storeKey = dir.resolve("alice/store.key");
        String old = Files.readString(storeKey).replaceAll(",\\s*\"check\"\\s*:\\s*\"[0-9a-f]+\"", "");
        Files.writeString(storeKey, old);
        assertFalse(Files.readString(storeKey).contains("\"check\""));
        ok(alice, "unlock", "--for", "10m");
        try {
            assertTrue(Files.readString(storeKey).contains("\"check\""), Files.readString(storeKey));
            ok(aliceBare, "sessions");
        } finally {
            aliceBare.run("lock");
        }
    }
}
