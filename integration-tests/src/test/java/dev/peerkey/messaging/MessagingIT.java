package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TcpProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.DirectConnection;
import dev.peerkey.transport.direct.Frame;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Two (and more) users, each a separate CLI process with its own profile, talking through a
 * real Hardhat node: authentication, messages both ways over both transports, and every fault
 * the messenger must survive — tampered, replayed and misaddressed envelopes, a revoked peer,
 * a direct connection cut mid-frame, a listener killed with SIGKILL mid-batch, and the RPC
 * endpoint going away while a client follows the mailbox.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class MessagingIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;
    /** This node's directory: each node of the matrix gets fresh profiles. */
    private static Path dir;

    private static TestChain node;
    private static Map<String, String> env;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;
    private static String messenger;
    private static int bobPort;
    private static TcpProxy bobProxy;
    private static Cli.Background bobListen;

    @BeforeParameterizedClassInvocation
    static void setUp(NodeKind kind) throws IOException {
        node = TestChain.start(kind);
        dir = Files.createDirectories(root.resolve(kind.option()));
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(profile("deployer"), "deploy", "--json").json();
        messenger = deployed.path("messenger").asText();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", messenger);
        alice = profile("alice");
        bob = profile("bob");
        aliceId = newIdentity(alice, "365d");
        bobId = newIdentity(bob, "365d");
        bobPort = freePort();
        bobProxy = TcpProxy.start(bobPort);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        if (bobListen != null) {
            bobListen.close();
            bobListen = null;
        }
        if (bobProxy != null) {
            bobProxy.close();
        }
        node.close();
    }

    private static Cli profile(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static String newIdentity(Cli cli, String validFor) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register", "--valid-for", validFor);
        return id;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        return result;
    }

    /** The received messages a profile's `inbox --json` prints. */
    private static List<JsonNode> inbox(Cli cli) {
        return jsonLines(ok(cli, "inbox", "--json").stdout());
    }

    private static List<JsonNode> jsonLines(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.strip().lines().toList()) {
            if (line.startsWith("{") && line.contains("\"text\"")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError(line, e);
                }
            }
        }
        return out;
    }

    private static long count(List<JsonNode> messages, String text) {
        return messages.stream().filter(m -> m.path("text").asText().equals(text)).count();
    }

    private static Cli.Background startBobListener() {
        Cli.Background listen = bob.start("listen", "--port", String.valueOf(bobPort), "--advertise",
                "127.0.0.1:" + bobProxy.port(), "--json");
        listen.awaitStdout("\"advertised\"", 60);
        return listen;
    }

    @Test
    @Order(1)
    void authWithAnUnregisteredPeerFails() {
        fails(alice, "is not registered", "auth", "0x" + "ab".repeat(32));
    }

    @Test
    @Order(2)
    void anUnansweredHandshakeStaysPendingAndInboxCompletesIt() {
        Cli.Result pending = alice.run("auth", bobId, "--timeout", "2s", "--json");
        assertEquals(1, pending.exitCode(), pending::toString);
        assertEquals("pending", pending.json().path("status").asText());
        assertTrue(pending.stderr().contains("stays pending"), pending::toString);

        ok(bob, "accept", aliceId); // Alice is no contact of Bob's: her request waits for his consent
        ok(alice, "inbox"); // Alice finishes it and sends her key confirmation
        ok(bob, "inbox");   // Bob receives the confirmation
        JsonNode bobSessions = ok(bob, "sessions", "--json").json();
        assertEquals("established", bobSessions.path("sessions").get(0).path("status").asText(), bobSessions::toString);
        assertEquals(aliceId, bobSessions.path("sessions").get(0).path("peer").asText());
        JsonNode aliceSessions = ok(alice, "sessions", "--json").json();
        assertEquals("established", aliceSessions.path("sessions").get(0).path("status").asText());
        assertEquals(0, aliceSessions.path("pendingHandshakes").size());
    }

    @Test
    @Order(3)
    void messagesBothWaysOverBothTransports() {
        bobListen = startBobListener(); // tells Alice its endpoint inside the session
        JsonNode viaChain = ok(alice, "send", bobId, "over the mailbox", "--via", "chain", "--json").json();
        assertEquals("chain", viaChain.path("via").asText());
        assertTrue(viaChain.path("gasUsed").asLong() > 21_000, viaChain::toString);
        assertTrue(viaChain.path("messageId").asText().matches("0x[0-9a-f]{32}"), viaChain::toString);

        JsonNode direct = ok(alice, "send", bobId, "straight to you", "--json").json();
        assertEquals("direct", direct.path("via").asText(), direct::toString);
        assertTrue(direct.path("delivered").asBoolean(), direct::toString);

        bobListen.awaitStdout("over the mailbox", 30);
        List<JsonNode> received = inbox(bob);
        assertEquals(1, count(received, "over the mailbox"));
        assertEquals(1, count(received, "straight to you"));
        JsonNode first = received.stream().filter(m -> m.path("text").asText().equals("over the mailbox"))
                .findFirst().orElseThrow();
        assertEquals(aliceId, first.path("from").asText());
        assertEquals("chain", first.path("via").asText());
        assertNotNull(first.path("sentAt").textValue());
        assertNotNull(first.path("receivedAt").textValue());

        JsonNode reply = ok(bob, "send", aliceId, "hello Alice", "--json").json();
        assertEquals("chain", reply.path("via").asText(), "Alice runs no listener, so the mailbox");
        List<JsonNode> aliceInbox = inbox(alice);
        assertEquals(1, count(aliceInbox, "hello Alice"));
        assertEquals(bobId, aliceInbox.get(aliceInbox.size() - 1).path("from").asText());
    }

    @Test
    @Order(4)
    void tamperedAndReplayedMailboxEnvelopesAreRefused() throws Exception {
        JsonNode sent = ok(alice, "send", bobId, "the original", "--via", "chain", "--json").json();
        bobListen.awaitStdout("the original", 30);
        Messenger.PostedEventResponse posted = postedIn(sent.path("txHash").asText());

        byte[] tampered = posted.envelope.clone();
        tampered[39] ^= 0x01; // the header's message number now names a later, unused key: the tag cannot match
        MessengerContract contract = MessengerContract.at(node.chain(), messenger, m -> { });
        IdentityKey mallory = node.fundedKey();
        contract.post(mallory.credentials(), posted.recipientTag, tampered);
        bobListen.awaitStderr("refused a message from", 30);
        assertTrue(bobListen.stderr().contains("altered"), bobListen::stderr);

        contract.post(mallory.credentials(), posted.recipientTag, posted.envelope);
        bobListen.awaitStderr("ignored a second copy", 30);

        List<JsonNode> received = inbox(bob);
        assertEquals(1, count(received, "the original"), "stored exactly once");
        assertTrue(bobListen.isAlive());
        // The session still works after both refusals.
        ok(alice, "send", bobId, "still fine", "--via", "chain");
        bobListen.awaitStdout("still fine", 30);
    }

    private static Messenger.PostedEventResponse postedIn(String txHash) {
        TransactionReceipt receipt = node.chain().send(node.chain().web3j().ethGetTransactionReceipt(txHash))
                .getTransactionReceipt().orElseThrow();
        for (Log log : receipt.getLogs()) {
            return Messenger.getPostedEventFromLog(log);
        }
        throw new AssertionError("no Posted event in " + txHash);
    }

    @Test
    @Order(5)
    void aDirectFrameForAnotherRecipientIsRefused() {
        byte[] unknownTag = new byte[32];
        unknownTag[0] = 7;
        try (DirectConnection connection = DirectConnection.open("127.0.0.1", bobPort, Duration.ofSeconds(5))) {
            List<Frame> replies = connection.exchange(new Frame(Frame.Kind.ENVELOPE, unknownTag, new byte[100]),
                    Duration.ofSeconds(10));
            assertEquals(List.of(Frame.refusal()), replies, "the refusal that says nothing");
        }
    }

    @Test
    @Order(6)
    void aDirectConnectionCutMidFrameFallsBackToTheMailbox() {
        bobProxy.cutAfter(20);
        try {
            JsonNode sent = ok(alice, "send", bobId, "through the cut", "--json").json();
            assertEquals("chain", sent.path("via").asText(), sent::toString);
            assertFalse(sent.path("fallbackReason").isNull(), sent::toString);
        } finally {
            bobProxy.cutAfter(-1);
        }
        bobListen.awaitStdout("through the cut", 30);
        assertEquals(1, count(inbox(bob), "through the cut"));
        assertTrue(bobListen.isAlive(), "half a frame does not hurt the listener");
    }

    @Test
    @Order(7)
    void aListenerKilledMidBatchLosesNothingAndStoresNothingTwice() throws IOException {
        bobListen.close();
        bobListen = null;
        List<String> lines = IntStream.range(0, 30).mapToObj(i -> "batch " + i).toList();
        Path input = dir.resolve("lines.txt");
        Files.write(input, lines);
        Cli.Result chat = alice.runWithInput(input, "chat", bobId, "--ack-timeout", "500ms");
        assertEquals(0, chat.exitCode(), chat::toString);

        Cli.Background first = startBobListener();
        first.awaitStdout("batch 3", 60);
        first.kill(); // SIGKILL in the middle of the batch
        bobListen = startBobListener();
        List<String> batch = List.of();
        for (int attempt = 0; attempt < 60 && batch.size() < lines.size(); attempt++) {
            batch = inbox(bob).stream().map(m -> m.path("text").asText()).filter(t -> t.startsWith("batch ")).toList();
        }
        assertEquals(lines, batch, "every message exactly once, in order");
    }

    @Test
    @Order(8)
    void followingSurvivesTheRpcNodeGoingAwayAndComingBack() {
        bobListen.close();
        int nodePort = java.net.URI.create(node.rpcUrl()).getPort();
        try (TcpProxy rpc = TcpProxy.start(nodePort)) {
            bobListen = bob.start("listen", "--port", String.valueOf(bobPort), "--advertise",
                    "127.0.0.1:" + bobProxy.port(), "--json", "--rpc", "http://127.0.0.1:" + rpc.port());
            bobListen.awaitStdout("\"advertised\"", 60);
            rpc.pause();
            ok(alice, "send", bobId, "while the node was away", "--via", "chain");
            bobListen.awaitStderr("retrying", 30);
            rpc.resume();
            bobListen.awaitStdout("while the node was away", 60);
            assertEquals(1, count(inbox(bob), "while the node was away"));
        }
    }

    @Test
    @Order(9)
    void aPeerRevokedAfterTheSessionBeganIsRefusedAndTheSessionClosed() {
        bobListen.close();
        bobListen = startBobListener();
        Cli carol = profile("carol");
        String carolId = newIdentity(carol, "365d");
        Cli.Result auth = carol.run("auth", bobId, "--timeout", "2s", "--json");
        assertEquals("pending", auth.json().path("status").asText(), auth::toString);
        bobListen.awaitStderr("message request from", 30); // Carol is a stranger to Bob
        ok(bob, "accept", carolId);
        ok(carol, "send", bobId, "before revoking"); // completes the handshake, then sends
        bobListen.awaitStdout("before revoking", 30);

        // Posted while Bob is away, read by Bob after Carol revoked: refused.
        bobListen.close();
        ok(carol, "send", bobId, "posted, then revoked", "--via", "chain");
        ok(carol, "revoke", "--yes");
        bobListen = startBobListener();
        bobListen.awaitStderr("revoked", 30);
        assertEquals(0, count(inbox(bob), "posted, then revoked"));
        // Carol's own client no longer sends at all (DirectAbuseIT checks that nothing is posted).
        fails(carol, "our identity " + carolId + " was revoked", "send", bobId, "after revoking");
        JsonNode sessions = ok(bob, "sessions", "--json").json();
        boolean revoked = false;
        for (JsonNode s : sessions.path("sessions")) {
            revoked |= s.path("peer").asText().equals(carolId) && s.path("status").asText().equals("revoked");
        }
        assertTrue(revoked, sessions::toString);

        fails(alice, "revoked", "auth", carolId);
    }

    @Test
    @Order(10)
    void authWithAnExpiredPeerFails() {
        Cli dave = profile("dave");
        String daveId = newIdentity(dave, "10m");
        // The automining chain's clock runs ahead of the wall clock; move it past the expiry.
        node.increaseTime(3600);
        node.mine();
        fails(alice, "expired", "auth", daveId);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
