package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;

/**
 * Alice's node lies: it alters the signature in Bob's handshake answer. Alice's client checks
 * the answer against Bob's registry key itself, refuses it with a specific error and keeps the
 * handshake pending; once her node is honest again, `inbox` finishes it from the real answer.
 */
class LyingNodeHandshakeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPTED = EventEncoder.encode(Messenger.AUTHACCEPTED_EVENT);

    @TempDir
    static Path dir;

    private static TestChain node;
    private static TamperingProxy lyingNode;

    @BeforeAll
    static void start() {
        node = TestChain.start();
        lyingNode = TamperingProxy.start(node.rpcUrl());
    }

    @AfterAll
    static void stop() {
        lyingNode.close();
        node.close();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    /** The answer with one byte of every AuthAccepted signature changed. */
    private static String forgeAcceptSignatures(String method, String answer) {
        if (!method.equals("eth_getLogs")) {
            return answer;
        }
        try {
            JsonNode root = JSON.readTree(answer);
            for (JsonNode log : root.path("result")) {
                if (ACCEPTED.equalsIgnoreCase(log.path("topics").path(0).asText())) {
                    String data = log.path("data").asText();
                    // The signature is the last dynamic field: 65 bytes padded to 96, ending the data.
                    int at = data.length() - 2 * 96;
                    char flipped = data.charAt(at) == 'a' ? 'b' : 'a';
                    ((ObjectNode) log).put("data", data.substring(0, at) + flipped + data.substring(at + 1));
                }
            }
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aForgedAnswerIsRefusedAndTheRealOneStillCompletesTheHandshake() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Map<String, String> env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(),
                "PEERKEY_PASSWORD_FILE", password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(),
                "PEERKEY_HOME", dir.resolve("deployer").toString()));
        JsonNode deployed = ok(new Cli(env), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        env.put("PEERKEY_HOME", dir.resolve("bob").toString());
        Cli bob = new Cli(env);
        env.put("PEERKEY_HOME", dir.resolve("alice").toString());
        env.put("PEERKEY_RPC", lyingNode.url());
        Cli alice = new Cli(env);
        String bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register");
        String aliceId = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(alice, "register");

        lyingNode.tamper(LyingNodeHandshakeIT::forgeAcceptSignatures);
        Cli.Result first = alice.run("auth", bobId, "--timeout", "2s", "--json");
        assertEquals(1, first.exitCode(), first::toString);
        ok(bob, "accept", aliceId); // Bob answers Alice's message request, through an honest node
        Cli.Result lied = alice.run("inbox");
        assertTrue(lied.stderr().contains("refused an answer to our handshake with " + bobId), lied::toString);
        // The altered byte makes the signature recover another key, or none: either way Bob did not sign it.
        assertTrue(lied.stderr().contains("the auth accept was not signed by the expected key")
                || lied.stderr().contains("the auth accept's signature is invalid"), lied::toString);
        JsonNode stillPending = ok(alice, "sessions", "--json").json();
        assertEquals(0, stillPending.path("sessions").size(), stillPending::toString);
        assertEquals(1, stillPending.path("pendingHandshakes").size(), stillPending::toString);

        lyingNode.tamper((method, answer) -> answer);
        ok(alice, "inbox");
        JsonNode done = ok(alice, "sessions", "--json").json();
        assertEquals("established", done.path("sessions").get(0).path("status").asText(), done::toString);
        assertEquals(0, done.path("pendingHandshakes").size());
        ok(bob, "inbox"); // Bob receives Alice's key confirmation
        assertEquals("established", ok(bob, "sessions", "--json").json().path("sessions").get(0).path("status")
                .asText());
    }
}
