package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.NodeKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, item 11 and the node matrix: the CLI as a user drives it, each command a separate
 * process, on each node: `chain start --node`, status and stop name the node; deploy; register
 * (self-sent and relayed); lookup across profiles; auth and accept; messages both ways through
 * the mailbox; and `demo --node`.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static Path dir;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;

    @BeforeParameterizedClassInvocation
    static void profiles(NodeKind kind) throws IOException {
        dir = Files.createTempDirectory("peerkey-nodes-" + kind.option());
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Map<String, String> shared = Map.of("PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(),
                "PEERKEY_PASSWORD_FILE", password.toString());
        alice = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("alice").toString()));
        bob = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("bob").toString()));
    }

    @AfterParameterizedClassInvocation
    static void stopChain() {
        alice.run("chain", "stop"); // if a test failed before its own stop
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> map = new HashMap<>(base);
        map.put(key, value);
        return map;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, int exitCode, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(exitCode, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        return result;
    }

    private static List<String> inboxTexts(Cli cli) {
        List<String> texts = new ArrayList<>();
        for (String line : ok(cli, "inbox", "--json").stdout().strip().lines().toList()) {
            if (line.startsWith("{") && line.contains("\"text\"")) {
                try {
                    texts.add(JSON.readTree(line).path("text").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(line, e);
                }
            }
        }
        return texts;
    }

    @Test
    @Order(1)
    void chainStartRecordsTheNodeAndStatusNamesIt() {
        JsonNode started = ok(alice, "chain", "start", "--node", kind.option(), "--json").json();
        assertEquals(kind.option(), started.path("node").asText(), started::toString);
        assertTrue(started.path("rpc").asText().startsWith("http://127.0.0.1:"), started::toString);

        JsonNode status = ok(bob, "chain", "status", "--json").json();
        assertEquals(kind.option(), status.path("node").asText(), status::toString);
        assertTrue(status.path("running").asBoolean(), status::toString);
        assertEquals(kind == NodeKind.GANACHE ? 1337 : 31337, status.path("chainId").asLong(), status::toString);

        // Another node while this one runs is refused, in one line.
        NodeKind other = kind == NodeKind.ANVIL ? NodeKind.GANACHE : NodeKind.ANVIL;
        Cli.Result refused = fails(bob, 1, "is already running", "chain", "start", "--node", other.option());
        assertEquals(1, refused.stderr().strip().lines().filter(l -> l.startsWith("error:")).count(),
                refused::toString);
        // An unknown node is an invalid command line that lists the choices.
        fails(bob, 2, "unknown node 'geth': choose hardhat, anvil or ganache", "chain", "start", "--node", "geth");
    }

    @Test
    @Order(2)
    void deployRegisterAndLookUpAcrossProfiles() {
        JsonNode deployed = ok(alice, "deploy", "--json").json();
        assertTrue(deployed.path("registry").asText().matches("0x[0-9a-fA-F]{40}"), deployed::toString);
        assertTrue(deployed.path("messenger").asText().matches("0x[0-9a-fA-F]{40}"), deployed::toString);

        JsonNode created = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        aliceId = created.path("id").asText();
        JsonNode registered = ok(alice, "register", "--json").json();
        assertTrue(registered.path("gasUsed").asLong() <= 72_000, registered::toString);
        bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register", "--relayed");

        // By name and by address: both found through the registry's logs, which each node filters itself.
        for (String peer : new String[] {created.path("name").asText(), created.path("address").asText()}) {
            JsonNode found = ok(bob, "lookup", peer, "--json").json();
            assertEquals(aliceId, found.path("id").asText());
            assertEquals(created.path("publicKey").asText(), found.path("publicKey").asText());
        }
    }

    @Test
    @Order(3)
    void authenticateAndMessageBothWays() {
        // Alice is no contact of Bob's: her request waits for his consent, so her auth ends unanswered.
        assertEquals(1, alice.run("auth", bobId, "--timeout", "1s").exitCode());
        ok(bob, "accept", aliceId);
        ok(alice, "inbox"); // reads Bob's accept: the session is confirmed
        ok(bob, "inbox");

        ok(alice, "send", bobId, "hello Bob on " + kind.label());
        assertTrue(inboxTexts(bob).contains("hello Bob on " + kind.label()));
        ok(bob, "send", aliceId, "hello Alice on " + kind.label());
        assertTrue(inboxTexts(alice).contains("hello Alice on " + kind.label()));
    }

    @Test
    @Order(4)
    void chainStopEndsTheNode() {
        JsonNode stopped = ok(alice, "chain", "stop", "--json").json();
        assertEquals(kind.option(), stopped.path("node").asText(), stopped::toString);
        assertTrue(stopped.path("stopped").asBoolean(), stopped::toString);
        fails(alice, 1, "no local chain", "chain", "status");
    }

    @Test
    @Order(5)
    void theDemoPassesOnThisNodeAndFitsAnEightyColumnTerminal() {
        List<String> lines = ok(alice, "demo", "--node", kind.option()).stdout().lines().toList();
        assertTrue(lines.get(1).contains("start local " + kind.label() + " node"), lines::toString);
        lines.forEach(line -> assertTrue(line.length() < 80, () -> "wider than 79 columns: " + line));
        // Every transaction's row gives its gas; every lookup says what it found.
        for (String step : List.of("deploy IdentityRegistry", "deploy Messenger", "register Alice", "register Bob",
                "rotate Bob's key", "first message in a signed request", "Bob accepts", "revoke Alice")) {
            String row = lines.stream().filter(line -> line.contains(step)).findFirst().orElseThrow();
            assertTrue(row.matches(".*\\s\\d{1,3}(,\\d{3})+$"), () -> "no gas on: " + row);
        }
        int lookup = lines.indexOf(lines.stream().filter(l -> l.contains("Alice looks up Bob")).findFirst().orElseThrow());
        assertTrue(lines.get(lookup + 1).contains("active, key #0"), lines::toString);
        assertTrue(lines.contains("Try it yourself, Alice and Bob in two terminals (each its own profile):"),
                lines::toString);
    }
}
