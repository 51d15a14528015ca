package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions are bound to the peer's registry key. A thief with a copy of Alice's keystore
 * authenticates to Bob as Alice, and his session replaces hers (same key, so nothing can tell
 * them apart yet). Alice rotates her key: from then on Bob's client refuses the thief's messages
 * and refuses to send under the old session, telling Bob that Alice's key changed; a new session
 * Alice opens with her new key sends nothing from Bob until he has run `peerkey auth` (which shows
 * the change); then the chat works again. Every party is a separate CLI process on a real node.
 */
class KeyTheftIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestChain node;
    private Map<String, String> env;
    private final List<Cli.Background> running = new ArrayList<>();

    @BeforeEach
    void chain() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(profile("deployer"), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
    }

    @AfterEach
    void stop() {
        running.forEach(Cli.Background::close);
        node.close();
    }

    @Test
    void aThiefsSessionEndsWhenTheOwnerRotatesAndTheOwnersNewKeyIsShownBeforeAnythingIsSent() throws IOException {
        Cli alice = profile("alice");
        Cli bob = profile("bob");
        String aliceId = newIdentity(alice);
        String bobId = newIdentity(bob);
        String aliceName = ok(alice, "id", "show", "--json").json().path("name").asText();
        Cli.Background bobListen = listen(bob);

        alice.run("auth", bobId, "--timeout", "2s"); // Alice is no contact of Bob's: her request waits
        bobListen.awaitStderr("message request from", 60);
        ok(bob, "accept", aliceId);
        ok(alice, "send", bobId, "from the real alice"); // completes the handshake, then sends
        bobListen.awaitStdout("from the real alice", 60);

        // The thief copies Alice's keystore and profile (not her messages) and authenticates as her.
        Cli thief = profile("thief");
        copyKeys(dir.resolve("alice"), dir.resolve("thief"));
        JsonNode stolen = ok(thief, "auth", bobId, "--json").json();
        assertEquals("established", stolen.path("status").asText(), stolen::toString);
        assertEquals(0, stolen.path("peerKeyIndex").asInt());
        ok(thief, "send", bobId, "the thief posing as alice");
        bobListen.awaitStdout("the thief posing as alice", 60);
        List<JsonNode> bobsAliceSessions = sessionsWith(bob, aliceId);
        assertEquals(List.of("established", "closed"), statuses(bobsAliceSessions), "the thief's session replaced"
                + " Alice's: " + bobsAliceSessions);

        // Alice rotates. The thief's own client would notice, so he reads the chain through a node that
        // hides the rotation; Bob's client, on the real chain, refuses his next message and closes the session.
        long beforeRotation = node.chain().web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
        ok(alice, "rotate");
        try (TamperingProxy hidesRotation = TamperingProxy.start(node.rpcUrl())) {
            hidesRotation.pinTo(beforeRotation);
            Map<String, String> thiefsNode = new HashMap<>(env);
            thiefsNode.put("PEERKEY_HOME", dir.resolve("thief").toString());
            thiefsNode.put("PEERKEY_RPC", hidesRotation.url());
            new Cli(thiefsNode).run("send", bobId, "after the rotation", "--via", "direct");
        }
        String refusal = aliceName + "'s key changed (now key #1): the session made with key #0 is closed; check"
                + " the new key with `peerkey lookup " + aliceName + "` and run `peerkey auth " + aliceName + "`";
        bobListen.awaitStderr(refusal, 60);
        assertEquals("revoked", statuses(sessionsWith(bob, aliceId)).get(0), "the thief's session is closed");
        // On the real chain the thief's client stops him: the key on chain is not his.
        Cli.Result again = thief.run("auth", bobId, "--timeout", "5s");
        assertEquals(1, again.exitCode(), again::toString);
        assertTrue(again.stderr().contains("key on chain (key #1) is not in this profile"), again::toString);

        // Nothing goes out from Bob under the old session, nor under a new one he did not ask for.
        fails(bob, refusal, "send", aliceId, "are you there?");

        // Alice authenticates again with her new key; Bob's listener answers, and her message arrives.
        JsonNode renewed = ok(alice, "auth", bobId, "--json").json();
        assertEquals("established", renewed.path("status").asText(), renewed::toString);
        ok(alice, "send", bobId, "it is really me, with key #1");
        bobListen.awaitStdout("it is really me, with key #1", 60);

        // Bob is told: inbox prints one notice line, sessions marks the session, send is still refused.
        Cli.Result inbox = ok(bob, "inbox");
        assertEquals(1, inbox.stderr().lines().filter(l -> l.startsWith("notice: ")).count(), inbox::toString);
        assertTrue(inbox.stderr().contains("notice: " + refusal + "; until then nothing is sent to " + aliceName),
                inbox::toString);
        JsonNode newest = sessionsWith(bob, aliceId).get(0);
        assertEquals(1, newest.path("peerKeyIndex").asInt(), newest::toString);
        assertTrue(newest.path("keyChanged").asBoolean(), newest::toString);
        assertTrue(ok(bob, "sessions").stdout().contains("key changed: run `peerkey auth " + aliceName + "`"));
        fails(bob, refusal, "send", aliceId, "still refused");

        // Bob runs auth himself: it shows the change and accepts the new key; the chat works both ways.
        Cli.Background aliceListen = listen(alice);
        Cli.Result accepted = ok(bob, "auth", aliceId, "--json");
        assertTrue(accepted.stderr().contains(aliceName + "'s key changed: it is now key #1, the last sessions were"
                + " made with key #0; check the new key with `peerkey lookup " + aliceName + "`"), accepted::toString);
        assertEquals("established", accepted.json().path("status").asText(), accepted::toString);
        assertEquals(0, accepted.json().path("keyChangedFrom").asInt(), accepted::toString);
        ok(bob, "send", aliceId, "welcome back, alice");
        aliceListen.awaitStdout("welcome back, alice", 60);
        ok(alice, "send", bobId, "thanks, bob");
        bobListen.awaitStdout("thanks, bob", 60);
        Cli.Result quiet = ok(bob, "inbox", "--json");
        assertFalse(quiet.stderr().contains("notice: "), quiet::toString);
        assertFalse(sessionsWith(bob, aliceId).get(0).path("keyChanged").asBoolean());
        assertFalse(quiet.stdout().contains("after the rotation"), "the thief's refused message was never stored");
    }

    private Cli profile(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static String newIdentity(Cli cli) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register", "--valid-for", "365d");
        return id;
    }

    private Cli.Background listen(Cli cli) {
        int port = freePort();
        Cli.Background listen = cli.start("listen", "--port", String.valueOf(port), "--advertise",
                "127.0.0.1:" + port, "--json");
        running.add(listen);
        listen.awaitStdout("\"advertised\"", 60);
        return listen;
    }

    /** The keystore directory and profile.json: everything a thief needs to act as the identity. */
    private static void copyKeys(Path from, Path to) throws IOException {
        Files.createDirectories(to.resolve("keystore"));
        try (Stream<Path> keys = Files.list(from.resolve("keystore"))) {
            for (Path key : keys.toList()) {
                Files.copy(key, to.resolve("keystore").resolve(key.getFileName()));
            }
        }
        Files.copy(from.resolve("profile.json"), to.resolve("profile.json"));
    }

    /** Bob's sessions with {@code peer}, newest first, as `sessions --json` lists them. */
    private static List<JsonNode> sessionsWith(Cli cli, String peer) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : ok(cli, "sessions", "--json").json().path("sessions")) {
            if (s.path("peer").asText().equals(peer)) {
                out.add(s);
            }
        }
        return out;
    }

    private static List<String> statuses(List<JsonNode> sessions) {
        return sessions.stream().map(s -> s.path("status").asText()).toList();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static void fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("error: " + expected), result::toString);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
