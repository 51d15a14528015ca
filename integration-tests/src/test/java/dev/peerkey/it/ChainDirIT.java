package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local chain directory is as private as a profile home: `chain start` makes it (and a profile
 * home it makes on the way) 0700; a chain directory others can write to, or another user owns, is
 * refused before chain.json is read or a node is started, by `chain start` and by the commands that
 * read chain.json; a symbolic link planted at node.log is refused and its target left as it was.
 * Each command is a separate CLI process; the chain is a real Anvil node run by `chain start`.
 */
class ChainDirIT {
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    private Cli cli(Path chainDir) {
        return new Cli(Map.of("PEERKEY_HOME", dir.resolve("home").toString(), "PEERKEY_CHAIN_DIR",
                chainDir.toString()));
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

    private static String openMessage(Path chainDir, String mode) {
        return "error: refusing the chain directory " + chainDir + ": it belongs to " + USER + " with mode " + mode
                + "; a chain directory must be " + USER + "'s and writable by no one else: chmod 700 " + chainDir;
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void aChainDirectoryOthersCanWriteIsRefusedByChainStartWithNothingStarted() throws IOException {
        for (String mode : List.of("rwxrwx---", "rwx---rwx")) {
            Path chainDir = Files.createDirectory(dir.resolve("open"));
            Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString(mode));
            refused(cli(chainDir).run("chain", "start", "--node", "anvil"), openMessage(chainDir, mode));
            assertEquals(List.of(), names(chainDir), "no node.log, no chain.json: nothing started");
            Files.delete(chainDir);
        }
    }

    /**
     * A running chain whose directory was opened to others (as if another user could swap its
     * chain.json): every command that reads chain.json refuses it, `chain stop` too; closed again,
     * the same chain serves and stops.
     */
    @Test
    void commandsThatReadChainJsonRefuseAnOpenedChainDirectory() throws IOException {
        Path chainDir = dir.resolve("chain");
        Cli cli = cli(chainDir);
        ok(cli, "chain", "start", "--node", "anvil");
        try {
            Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString("rwxrwxr-x"));
            for (List<String> command : List.of(List.of("chain", "status"), List.of("chain", "stop"),
                    List.of("deploy"), List.of("lookup", "0x" + "11".repeat(32)))) {
                refused(cli.run(command.toArray(String[]::new)), openMessage(chainDir, "rwxrwxr-x"));
            }
            Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString("rwx------"));
            assertTrue(ok(cli, "chain", "status", "--json").json().path("running").asBoolean());
        } finally {
            Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString("rwx------"));
            cli.run("chain", "stop");
        }
    }

    /** Another user's chain directory (chown'ed to another account: this needs root) is refused. */
    @Test
    void aChainDirectoryOfAnotherUserIsRefused() throws IOException {
        Path chainDir = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString("rwx------"));
        String owner;
        if (USER.equals("root")) {
            UserPrincipal nobody = chainDir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("nobody");
            Files.setOwner(chainDir, nobody);
            owner = "nobody";
        } else {
            chainDir = Path.of("/");
            owner = Files.getOwner(chainDir).getName();
        }
        for (List<String> command : List.of(List.of("chain", "start", "--node", "anvil"), List.of("chain", "status"))) {
            refused(cli(chainDir).run(command.toArray(String[]::new)), "error: refusing the chain directory "
                    + chainDir + ": it belongs to " + owner + " with mode " + mode(chainDir) + "; a chain directory"
                    + " must be " + USER + "'s and writable by no one else: use a chain directory of your own"
                    + " (--chain-dir DIR), or have it given to " + USER + " (chown " + USER + " " + chainDir + ")");
        }
        if (USER.equals("root")) {
            assertEquals(List.of(), names(chainDir), "nothing written");
        }
    }

    /** A link planted at node.log: `chain start` refuses it and starts nothing; the file it points to is untouched. */
    @Test
    void aSymbolicLinkAtTheNodeLogIsRefusedAndItsTargetUntouched() throws IOException {
        Path chainDir = Files.createDirectory(dir.resolve("linked"));
        Files.setPosixFilePermissions(chainDir, PosixFilePermissions.fromString("rwx------"));
        Path important = dir.resolve("important");
        Files.writeString(important, "IMPORTANT-DATA\n");
        Files.setPosixFilePermissions(important, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(chainDir.resolve("node.log"), important);
        Cli cli = cli(chainDir);
        try {
            refused(cli.run("chain", "start", "--node", "anvil"), "error: refusing the node log "
                    + chainDir.resolve("node.log") + ": it is a symbolic link (to " + important + "), and the log is"
                    + " never written through one: remove it");
            assertEquals("IMPORTANT-DATA\n", Files.readString(important));
            assertFalse(Files.exists(chainDir.resolve("chain.json")), "no chain started");
            assertEquals(List.of("node.log"), names(chainDir).stream().filter(n -> !n.equals("state")).toList());
        } finally {
            cli.run("chain", "stop");
        }
    }

    /**
     * `chain start` as the very first command, with the chain directory in a profile home that does
     * not exist yet (as the default ~/.peerkey/chain is): both are made 0700, the node log and
     * chain.json 0600, and `id new` then takes that home.
     */
    @Test
    void chainStartOnAFreshHomeMakesItAndTheChainDirectoryOwnerOnly() throws IOException {
        Path home = dir.resolve("fresh").resolve(".peerkey");
        Path chainDir = home.resolve("chain");
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Cli cli = new Cli(Map.of("PEERKEY_HOME", home.toString(), "PEERKEY_CHAIN_DIR", chainDir.toString(),
                "PEERKEY_PASSWORD_FILE", password.toString()));
        try {
            ok(cli, "chain", "start", "--node", "anvil");
            assertEquals("rwx------", mode(home));
            assertEquals("rwx------", mode(chainDir));
            assertEquals("rw-------", mode(chainDir.resolve("node.log")));
            assertEquals("rw-------", mode(chainDir.resolve("chain.json")));
            ok(cli, "id", "new", "--fast-kdf", "--no-recovery");
            assertEquals("rwx------", mode(home));
        } finally {
            cli.run("chain", "stop");
        }
        assertEquals("rwx------", mode(chainDir.resolve("state")));
        assertEquals("rwx------", mode(chainDir.resolve("state").resolve("anvil")));
    }
}
