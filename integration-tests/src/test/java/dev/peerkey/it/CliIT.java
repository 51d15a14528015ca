package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user drives it, each command a separate process: `chain start`, deploy,
 * two profiles, register, lookups across profiles, rotate, revoke, and the errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    @TempDir
    static Path dir;

    private static Cli alice;
    private static Cli bob;
    private static String aliceName;
    private static String aliceId;

    @BeforeAll
    static void profiles() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Map<String, String> shared = Map.of("PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(),
                "PEERKEY_PASSWORD_FILE", password.toString());
        alice = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("alice").toString()));
        bob = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("bob").toString()));
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        var map = new java.util.HashMap<>(base);
        map.put(key, value);
        return map;
    }

    @AfterAll
    static void stopChain() {
        alice.run("chain", "stop");
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expectedMessage, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expectedMessage), result::toString);
        assertEquals(1, result.stderr().strip().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        return result;
    }

    @Test
    @Order(1)
    void withoutAChainCommandsSayHowToStartOne() {
        fails(alice, "no chain", "lookup", "0x" + "ab".repeat(32));
    }

    @Test
    @Order(2)
    void chainStartDeployAndStatus() {
        JsonNode started = ok(alice, "chain", "start", "--json").json();
        assertTrue(started.path("rpc").asText().startsWith("http://127.0.0.1:"));
        JsonNode status = ok(bob, "chain", "status", "--json").json();
        assertEquals(started.path("rpc").asText(), status.path("rpc").asText());
        JsonNode deployed = ok(alice, "deploy", "--json").json();
        assertTrue(deployed.path("registry").asText().matches("0x[0-9a-fA-F]{40}"));
        assertTrue(deployed.path("messenger").asText().matches("0x[0-9a-fA-F]{40}"), deployed::toString);
        assertFalse(deployed.path("messenger").asText().equalsIgnoreCase(deployed.path("registry").asText()));
        assertTrue(deployed.path("gasUsed").asLong() > 0 && deployed.path("messengerGasUsed").asLong() > 0,
                deployed::toString);
        JsonNode recorded = ok(bob, "chain", "status", "--json").json();
        assertEquals(deployed.path("registry"), recorded.path("registry"));
        assertEquals(deployed.path("messenger"), recorded.path("messenger"));
    }

    @Test
    @Order(3)
    void createRegisterAndLookUpAcrossProfiles() {
        JsonNode created = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        aliceId = created.path("id").asText();
        aliceName = created.path("name").asText();
        assertEquals(16, aliceName.length());
        JsonNode shown = ok(alice, "id", "show", "--json").json();
        for (String field : new String[] {"id", "name", "address", "publicKey"}) {
            assertEquals(created.path(field), shown.path(field), field);
        }

        JsonNode registered = ok(alice, "register", "--json").json();
        assertTrue(registered.path("gasUsed").asLong() <= 72_000, registered::toString);
        assertTrue(registered.path("txHash").asText().startsWith("0x"));

        ok(bob, "id", "new", "--fast-kdf", "--no-recovery");
        JsonNode bobRegistered = ok(bob, "register", "--relayed", "--json").json();
        assertTrue(bobRegistered.path("gasUsed").asLong() <= 80_000, bobRegistered::toString);

        for (String peer : new String[] {aliceId, aliceName, created.path("address").asText()}) {
            JsonNode found = ok(bob, "lookup", peer, "--json").json();
            assertEquals(aliceId, found.path("id").asText());
            assertEquals(created.path("publicKey").asText(), found.path("publicKey").asText());
            assertFalse(found.path("revoked").asBoolean());
            assertTrue(found.has("registeredAt") && found.has("validUntil"));
        }
    }

    @Test
    @Order(4)
    void wrongPasswordAndCorruptKeystoreAreClearAndLoseNothing() throws IOException {
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not it\n");
        Path keystore = dir.resolve("alice/keystore");
        Path keyFile;
        try (var files = Files.list(keystore)) {
            keyFile = files.findFirst().orElseThrow();
        }
        byte[] before = Files.readAllBytes(keyFile);
        fails(alice, "wrong password", "rotate", "--password-file", wrong.toString());
        assertArrayEquals(before, Files.readAllBytes(keyFile));
        assertEquals(0, ok(alice, "lookup", aliceId, "--json").json().path("keyIndex").asInt());

        Path corruptHome = dir.resolve("corrupt");
        Cli corrupt = new Cli(Map.of("PEERKEY_HOME", corruptHome.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(),
                "PEERKEY_PASSWORD_FILE", dir.resolve("password").toString()));
        ok(corrupt, "id", "new", "--fast-kdf", "--no-recovery");
        try (var files = Files.list(corruptHome.resolve("keystore"))) {
            Path file = files.findFirst().orElseThrow();
            Files.writeString(file, "{\"version\":3,\"crypto\":");
        }
        fails(corrupt, "corrupt", "register");
    }

    @Test
    @Order(5)
    void rotateKeepsTheIdAndRevokeIsFinal() {
        JsonNode rotated = ok(alice, "rotate", "--json").json();
        assertEquals(aliceId, rotated.path("id").asText());
        JsonNode afterRotation = ok(bob, "lookup", aliceName, "--history", "--json").json();
        assertEquals(1, afterRotation.path("keyIndex").asInt());
        assertEquals(rotated.path("publicKey").asText(), afterRotation.path("publicKey").asText());
        assertEquals(2, afterRotation.path("keys").size());

        fails(alice, "pass --yes", "revoke");
        JsonNode revoked = ok(alice, "revoke", "--yes", "--json").json();
        assertTrue(revoked.path("gasUsed").asLong() > 0);
        JsonNode lookup = ok(bob, "lookup", aliceId, "--json").json();
        assertTrue(lookup.path("revoked").asBoolean());
        assertEquals("revoked", lookup.path("status").asText());

        fails(alice, "has been revoked", "rotate");
        fails(alice, "has been revoked", "revoke", "--yes");
    }

    @Test
    @Order(6)
    void badPeersRegistriesAndNodesAreClearErrors() throws IOException {
        fails(bob, "is not registered", "lookup", "0x" + "ab".repeat(32));
        fails(bob, "no registered identity has the display name", "lookup", "aaaaaaaaaaaaaaaa");
        Cli.Result malformed = bob.run("lookup", "bob!");
        assertEquals(2, malformed.exitCode(), "a malformed peer is a bad command line: " + malformed);
        assertEquals("error: 'bob!' is not an ID (0x + 64 hex), display name (16 base32 characters) or address"
                + " (0x + 40 hex)", malformed.stderr().strip(), malformed::toString);
        Cli.Result badTime = bob.run("lookup", aliceId, "--at", "yesterday");
        assertEquals(2, badTime.exitCode(), badTime::toString);
        assertTrue(badTime.stderr().contains("--at 'yesterday' is not a date or time"), badTime::toString);
        Cli.Result badVia = bob.run("send", aliceId, "hi", "--via", "bogus");
        assertEquals(2, badVia.exitCode(), badVia::toString);
        assertEquals("error: --via must be chain or direct, not 'bogus'", badVia.stderr().strip(), badVia::toString);
        String someAccount = ok(bob, "id", "show", "--json").json().path("address").asText();
        fails(bob, "no contract at", "lookup", aliceId, "--registry", someAccount);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        fails(bob, "cannot reach", "lookup", aliceId, "--rpc", "http://127.0.0.1:" + closedPort,
                "--registry", someAccount);
        Cli.Result usage = bob.run("lookup");
        assertEquals(2, usage.exitCode(), usage::toString);
    }

    @Test
    @Order(7)
    void chainStopEndsTheNode() {
        String rpc = ok(alice, "chain", "status", "--json").json().path("rpc").asText();
        ok(alice, "chain", "stop");
        fails(alice, "cannot reach", "lookup", aliceId, "--rpc", rpc, "--registry", "0x" + "00".repeat(20));
    }
}
