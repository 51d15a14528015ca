package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stolen key, end to end with the CLI as separate processes on a real node. The thief has a
 * copy of the owner's profile (keystore and password) and rotates the identity to a key of his
 * own; the owner, holding the recovery key `id new` made, revokes the identity at once or takes
 * it back to a new key after the registry's delay, and the thief can act no more. Two registries:
 * one with a 3-second recovery delay for the whole round, one with a day's delay for what must
 * happen while a recovery waits.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryIT {
    @TempDir
    static Path dir;

    private static TestChain node;
    private static Map<String, String> fast;
    private static Map<String, String> slow;
    private static Cli carol;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Map<String, String> base = Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString());
        Cli deployer = cli(base, "deployer");
        fast = withDeployment(base, ok(deployer, "deploy", "--recovery-delay", "3s", "--json").json());
        slow = withDeployment(base, ok(deployer, "deploy", "--recovery-delay", "1d", "--new", "--json").json());
        carol = cli(fast, "carol");
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    private static Map<String, String> withDeployment(Map<String, String> base, JsonNode deployed) {
        Map<String, String> env = new HashMap<>(base);
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        return env;
    }

    private static Cli cli(Map<String, String> env, String profile) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", home(profile).toString());
        return new Cli(own);
    }

    private static Path home(String profile) {
        return dir.resolve(profile);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        return failsWithInput(cli, Path.of("/dev/null"), expected, args);
    }

    private static Cli.Result failsWithInput(Cli cli, Path input, String expected, String... args) {
        Cli.Result result = cli.runWithInput(input, args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        assertEquals(1, result.stderr().strip().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        return result;
    }

    /** A new identity with a recovery key in FILE, registered; returns `id new`'s JSON. */
    private static JsonNode registeredWithRecovery(Cli owner, Path recoveryFile) {
        JsonNode created = ok(owner, "id", "new", "--fast-kdf", "--recovery-file", recoveryFile.toString(), "--json")
                .json();
        ok(owner, "register");
        return created;
    }

    /** The thief's copy of the owner's profile: keystore and profile.json (he knows the password too). */
    private static void copyProfile(String from, String to) {
        try (Stream<Path> files = Files.walk(home(from))) {
            for (Path file : files.toList()) {
                Path target = home(to).resolve(home(from).relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().startsWith("peerkey.db")) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lookupKey(String id) {
        return ok(carol, "lookup", id, "--history", "--json").json().path("publicKey").asText();
    }

    @Test
    @Order(1)
    void idNewKeepsTheRecoveryKeyOutOfTheProfile() throws IOException {
        Cli owner = cli(slow, "files");
        Path file = dir.resolve("files.recovery");
        JsonNode created = ok(owner, "id", "new", "--fast-kdf", "--recovery-file", file.toString(), "--json").json();
        assertEquals(file.toAbsolutePath().toString(), created.path("recoveryFile").asText());
        assertTrue(created.path("recoveryAddress").asText().matches("0x[0-9a-fA-F]{40}"), created::toString);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        String profileJson = Files.readString(home("files").resolve("profile.json"));
        assertTrue(profileJson.toLowerCase().contains(created.path("recoveryAddress").asText().toLowerCase()));
        assertFalse(profileJson.contains(Files.readString(file).strip()), "the recovery key is in profile.json");

        // An existing file is never overwritten, and nothing is half made.
        byte[] before = Files.readAllBytes(file);
        Cli.Result again = owner.run("id", "new", "--fast-kdf", "--recovery-file", file.toString());
        assertEquals(1, again.exitCode(), again::toString);
        assertEquals(1, ok(owner, "id", "list", "--json").json().path("identities").size());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(file)));

        // Without a terminal the words cannot be shown: say so rather than make an identity without them.
        Cli.Result noTerminal = cli(slow, "no-terminal").run("id", "new", "--fast-kdf");
        assertEquals(2, noTerminal.exitCode(), noTerminal::toString);
        assertTrue(noTerminal.stderr().contains("--recovery-file"), noTerminal::toString);
        assertFalse(Files.exists(home("no-terminal").resolve("profile.json")));
    }

    @Test
    @Order(2)
    void validityBeyondTenYearsIsRefusedBeforeAnyRpcCall() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Cli.Result result = cli(slow, "files").run("register", "--valid-for", "40000000d", "--rpc",
                "http://127.0.0.1:" + closedPort);
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("at most 3650 days"), result::toString);
        assertFalse(result.stderr().contains("Bit size"), result::toString);
        assertFalse(result.stderr().contains("cannot reach"), result::toString);
    }

    @Test
    @Order(3)
    void badRecoveryInputsAreSpecificErrors() throws IOException {
        Cli owner = cli(slow, "bad-inputs");
        Path file = dir.resolve("bad-inputs.recovery");
        String id = registeredWithRecovery(owner, file).path("id").asText();
        Cli other = cli(slow, "other");
        Path otherFile = dir.resolve("other.recovery");
        registeredWithRecovery(other, otherFile);

        fails(owner, "does not exist", "recover", "revoke", "--recovery-file", dir.resolve("missing").toString(),
                "--yes");
        fails(owner, "recovery key", "recover", "revoke", "--recovery-file", otherFile.toString(), "--yes");
        Path notWords = dir.resolve("not-words");
        Files.writeString(notWords, "correct horse battery staple\n");
        Cli.Result garbage = owner.runWithInput(notWords, "recover", "revoke", "--recovery-words-stdin", "--yes");
        assertEquals(1, garbage.exitCode(), garbage::toString);
        assertTrue(garbage.stderr().startsWith("error:") || garbage.stderr().contains("\nerror:"), garbage::toString);
        fails(owner, "pass --yes", "recover", "revoke", "--recovery-file", file.toString());
        Cli.Result neither = owner.run("recover", "revoke", "--yes");
        assertEquals(2, neither.exitCode(), neither::toString);

        Cli bare = cli(slow, "bare");
        ok(bare, "id", "new", "--fast-kdf", "--no-recovery");
        ok(bare, "register");
        fails(bare, "has no recovery key", "recover", "revoke", "--recovery-file", file.toString(), "--yes");
        fails(bare, "has no recovery key", "recover", "rotate", "--recovery-file", file.toString());
        assertTrue(ok(bare, "recover", "status", "--json").json().path("recoveryAddress").isNull());

        Cli unregistered = cli(slow, "unregistered");
        Path unregisteredFile = dir.resolve("unregistered.recovery");
        ok(unregistered, "id", "new", "--fast-kdf", "--recovery-file", unregisteredFile.toString());
        fails(unregistered, "is not registered", "recover", "rotate", "--recovery-file", unregisteredFile.toString());

        // A day's delay: a second run too early names the time; the recovery key can cancel.
        JsonNode started = ok(owner, "recover", "rotate", "--recovery-file", file.toString(), "--json").json();
        assertEquals("pending", started.path("status").asText(), started::toString);
        fails(owner, "is not ready until " + started.path("readyAt").asText(), "recover", "rotate",
                "--recovery-file", file.toString());
        JsonNode status = ok(owner, "recover", "status", "--json").json();
        assertTrue(status.path("pending").asBoolean(), status::toString);
        assertTrue(status.path("pendingKeyInProfile").asBoolean(), status::toString);
        assertEquals(started.path("readyAt").asText(), status.path("readyAt").asText());
        assertEquals(86_400, status.path("recoveryDelaySeconds").asLong());
        fails(owner, "recovery key", "recover", "cancel", "--recovery-file", otherFile.toString());
        ok(owner, "recover", "cancel", "--recovery-file", file.toString());
        assertFalse(ok(owner, "recover", "status", "--json").json().path("pending").asBoolean());
        fails(owner, "is pending", "recover", "cancel", "--recovery-file", file.toString());
        assertEquals(0, ok(carol, "lookup", id, "--json", "--registry", slow.get("PEERKEY_REGISTRY"),
                "--messenger", slow.get("PEERKEY_MESSENGER")).json().path("keyIndex").asInt());
    }

    @Test
    @Order(4)
    void aStolenKeyIsRevokedWithTheRecoveryKey() {
        Cli owner = cli(fast, "owner1");
        Path file = dir.resolve("owner1.recovery");
        String id = registeredWithRecovery(owner, file).path("id").asText();
        copyProfile("owner1", "thief1");
        Cli thief = cli(fast, "thief1");
        String thiefKey = ok(thief, "rotate", "--json").json().path("publicKey").asText();
        assertEquals(thiefKey, lookupKey(id));

        fails(owner, "someone else rotated it", "rotate");
        assertFalse(ok(owner, "recover", "status", "--json").json().path("currentKeyInProfile").asBoolean());

        // The words typed in (here piped: the file holds just the 24 words), not the file.
        Cli.Result byWords = owner.runWithInput(file, "recover", "revoke", "--recovery-words-stdin", "--yes", "--json");
        assertEquals(0, byWords.exitCode(), byWords::toString);
        assertTrue(byWords.json().path("revoked").asBoolean(), byWords::toString);
        JsonNode lookup = ok(carol, "lookup", id, "--json").json();
        assertEquals("revoked", lookup.path("status").asText(), lookup::toString);
        fails(thief, "has been revoked", "rotate");
        fails(thief, "has been revoked", "revoke", "--yes");
        fails(owner, "has been revoked", "recover", "revoke", "--recovery-file", file.toString(), "--yes");
    }

    @Test
    @Order(5)
    void aStolenKeyIsTakenBackWithARecoveryRotation() {
        Cli owner = cli(fast, "owner2");
        Path file = dir.resolve("owner2.recovery");
        String id = registeredWithRecovery(owner, file).path("id").asText();
        Cli bob = cli(fast, "bob");
        String bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register");
        copyProfile("owner2", "thief2");
        Cli thief = cli(fast, "thief2");
        ok(thief, "rotate");
        ok(thief, "rotate");

        JsonNode first = ok(owner, "recover", "rotate", "--recovery-file", file.toString(), "--json").json();
        JsonNode done = first;
        if (first.path("status").asText().equals("pending")) { // else the 3 s had already passed
            done = ok(owner, "recover", "rotate", "--recovery-file", file.toString(), "--wait", "--json").json();
            assertEquals(first.path("pendingPublicKey").asText(), done.path("publicKey").asText());
        }
        assertEquals("recovered", done.path("status").asText(), done::toString);
        assertEquals(3, done.path("keyIndex").asInt(), done::toString);
        String recovered = done.path("publicKey").asText();
        assertEquals(recovered, lookupKey(id));
        assertEquals(recovered, ok(owner, "id", "show", "--json").json().path("publicKey").asText());
        assertFalse(ok(owner, "recover", "status", "--json").json().path("pending").asBoolean());

        fails(thief, "someone else rotated it", "rotate");
        fails(thief, "someone else rotated it", "auth", bobId, "--timeout", "1s");
        fails(thief, "someone else rotated it", "revoke", "--yes");

        String rotated = ok(owner, "rotate", "--json").json().path("publicKey").asText();
        assertNotEquals(recovered, rotated);
        assertEquals(rotated, lookupKey(id));
        assertEquals(1, owner.run("auth", bobId, "--timeout", "1s").exitCode()); // Bob answers on his next read
        ok(bob, "accept", id); // the owner is no contact of Bob's: the request waits for his consent
        ok(owner, "inbox");
        ok(bob, "inbox");
        ok(owner, "send", bobId, "it is me again", "--via", "chain");
        assertTrue(ok(bob, "inbox").stdout().contains("it is me again"));
    }

    @Test
    @Order(6)
    void anOwnerWhoSeesARecoveryTheyDidNotStartRevokesWithTheCurrentKey() {
        Cli owner = cli(slow, "owner3");
        Path file = dir.resolve("owner3.recovery");
        String id = registeredWithRecovery(owner, file).path("id").asText();
        copyProfile("owner3", "thief3"); // this thief also took the recovery file
        Cli thief = cli(slow, "thief3");
        ok(thief, "recover", "rotate", "--recovery-file", file.toString());

        JsonNode seen = ok(owner, "recover", "status", "--json").json();
        assertTrue(seen.path("pending").asBoolean(), seen::toString);
        assertFalse(seen.path("pendingKeyInProfile").asBoolean(), seen::toString);
        ok(owner, "revoke", "--yes");
        assertEquals("revoked", ok(carol, "lookup", id, "--json", "--registry", slow.get("PEERKEY_REGISTRY"),
                "--messenger", slow.get("PEERKEY_MESSENGER")).json().path("status").asText());
        fails(thief, "has been revoked", "recover", "rotate", "--recovery-file", file.toString(), "--wait");
    }
}
