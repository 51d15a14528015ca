package dev.peerkey.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thief copies a whole profile directory (keystore, profile.json, store.key, peerkey.db and
 * its -wal and -shm, listen.json) while the owner's `listen` runs, but not the password. Alice
 * and Bob, separate CLI processes on a real Hardhat node, exchange known messages both ways over
 * both transports and tell each other their direct endpoints; then the copies are searched byte
 * by byte for every text and endpoint, and the CLI is run on a copy without the password, with a
 * wrong one, and with store.key removed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AtRestIT {
    private static final List<String> TEXTS = List.of(
            "alice-direct: the key is under the third flowerpot",
            "alice-mailbox: the meeting moved to Thursday",
            "bob-direct: I will bring the signed contract",
            "bob-mailbox: do not tell Carol about the merger");

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Map<String, String> env;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;
    private static String aliceEndpoint;
    private static String bobEndpoint;
    private static Cli.Background aliceListen;
    private static Cli.Background bobListen;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(profile("deployer", env), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        alice = profile("alice", env);
        bob = profile("bob", env);
        aliceId = newIdentity(alice);
        bobId = newIdentity(bob);
        aliceEndpoint = "127.0.0.1:" + freePort();
        bobEndpoint = "127.0.0.1:" + freePort();
    }

    @AfterAll
    static void tearDown() {
        for (Cli.Background listener : new Cli.Background[] {aliceListen, bobListen}) {
            if (listener != null) {
                listener.close();
            }
        }
        node.close();
    }

    @Test
    @Order(1)
    void aliceAndBobTalkBothWaysOverBothTransports() {
        aliceListen = listen(alice, aliceEndpoint);
        bobListen = listen(bob, bobEndpoint);
        Cli.Result auth = alice.run("auth", bobId, "--timeout", "2s", "--json");
        assertEquals("pending", auth.json().path("status").asText(), auth::toString);
        bobListen.awaitStderr("message request from", 60); // Alice is a stranger to Bob
        ok(bob, "accept", aliceId);
        assertEquals("direct", ok(alice, "send", bobId, TEXTS.get(0), "--json").json().path("via").asText());
        ok(alice, "send", bobId, TEXTS.get(1), "--via", "chain");
        assertEquals("direct", ok(bob, "send", aliceId, TEXTS.get(2), "--json").json().path("via").asText());
        ok(bob, "send", aliceId, TEXTS.get(3), "--via", "chain");
        bobListen.awaitStdout(TEXTS.get(1), 60);
        aliceListen.awaitStdout(TEXTS.get(3), 60);
        // Each side knows the other's endpoint: it is in the store, sealed (shown with the password).
        JsonNode sessions = ok(alice, "sessions", "--json").json().path("sessions").get(0);
        assertEquals(bobEndpoint, sessions.path("endpoint").asText(), sessions::toString);
    }

    @Test
    @Order(2)
    void aCopyOfTheProfileHoldsNoTextAndNoEndpoint() throws IOException {
        for (String name : List.of("alice", "bob")) {
            Path copy = copyProfile(name);
            List<String> names;
            try (Stream<Path> files = Files.list(copy)) {
                names = files.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertTrue(names.containsAll(List.of("keystore", "listen.json", "peerkey.db", "peerkey.db-shm",
                    "peerkey.db-wal", "profile.json", "store.key")), "sanity: the whole live profile: " + names);
            List<String> needles = new ArrayList<>(TEXTS);
            needles.addAll(List.of(aliceEndpoint, bobEndpoint));
            List<String> found = new ArrayList<>();
            try (Stream<Path> files = Files.walk(copy)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    for (String needle : needles) {
                        if (contains(bytes, needle)) {
                            found.add("'" + needle + "' in " + copy.relativize(file));
                        }
                    }
                }
            }
            assertEquals(List.of(), found, name + "'s copy");
        }
    }

    @Test
    @Order(3)
    void withoutThePasswordTheCopyReadsNothingAndSendsNothing() throws IOException {
        Map<String, String> noPassword = new HashMap<>(env);
        noPassword.remove("PEERKEY_PASSWORD_FILE");
        Cli thief = profile("copies/alice", noPassword);
        for (String[] command : commands()) {
            fails(thief, "error: no password: use --password-file or PEERKEY_PASSWORD", command);
        }
    }

    @Test
    @Order(4)
    void withAWrongPasswordTheCopyReadsNothingAndSendsNothing() throws IOException {
        Path guess = dir.resolve("guess");
        Files.writeString(guess, "wrong horse\n");
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("PEERKEY_PASSWORD_FILE", guess.toString());
        Cli thief = profile("copies/alice", wrong);
        for (String[] command : commands()) {
            fails(thief, "wrong password", command);
        }
        // Without store.key, a new one is not made under a guessed password: the identity's keystore refuses it first.
        Files.delete(dir.resolve("copies/alice/store.key"));
        fails(thief, "wrong password", "sessions");
        assertTrue(Files.notExists(dir.resolve("copies/alice/store.key")), "no store key made from a guess");
    }

    private static List<String[]> commands() {
        return List.of(new String[] {"inbox"}, new String[] {"send", bobId, "forged by the thief", "--via", "chain"},
                new String[] {"sessions"});
    }

    private static Cli.Background listen(Cli cli, String endpoint) {
        Cli.Background listener = cli.start("listen", "--port", endpoint.substring(endpoint.indexOf(':') + 1),
                "--advertise", endpoint, "--json");
        listener.awaitStdout("\"advertised\"", 60);
        return listener;
    }

    /** Copies a profile directory file by file while its listener keeps running, as a thief would. */
    private static Path copyProfile(String name) throws IOException {
        Path from = dir.resolve(name);
        Path to = dir.resolve("copies").resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return to;
    }

    private static Cli profile(String name, Map<String, String> base) {
        Map<String, String> own = new HashMap<>(base);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static String newIdentity(Cli cli) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register");
        return id;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static void fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), () -> String.join(" ", args) + ": " + result);
        assertTrue(result.stderr().contains(expected), () -> String.join(" ", args) + ": " + result);
        for (String text : TEXTS) {
            assertTrue(!result.stdout().contains(text) && !result.stderr().contains(text), result::toString);
        }
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
