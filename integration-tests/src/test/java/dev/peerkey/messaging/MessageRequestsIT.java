package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.RequestStatus;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Message requests, with every user a separate CLI process in its own profile against a real
 * Hardhat node: a stranger's handshake (with a first message) costs Bob nothing, gets no answer,
 * no endpoint and no connection until Bob accepts; decline sends nothing; block silences a
 * stranger's requests and envelopes; a contact is answered automatically; an offline Bob reads a
 * first message when he comes online, a request delivered twice or re-signed with the same
 * message shows each message once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MessageRequestsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUESTED = EventEncoder.encode(Messenger.AUTHREQUESTED_EVENT);

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Map<String, String> env;
    private static MessengerContract messenger;
    private static Cli bob;
    private static String bobId;
    private static String bobAddress;
    private static Cli alice;
    private static String aliceId;
    private static Cli.Background bobListen;
    private static Cli.Background aliceListen;
    private static ServerSocket aliceTrap;
    private static final AtomicInteger trapConnections = new AtomicInteger();

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(profile("deployer"), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        messenger = MessengerContract.at(node.chain(), deployed.path("messenger").asText(), m -> { });
        bob = profile("bob");
        JsonNode bobIdentity = newIdentity(bob);
        bobId = bobIdentity.path("id").asText();
        bobAddress = bobIdentity.path("address").asText();
        alice = profile("alice");
        aliceId = newIdentity(alice).path("id").asText();
        // Alice advertises an endpoint that only counts who connects to it: Bob must not, before he accepts.
        aliceTrap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!aliceTrap.isClosed()) {
                try (Socket s = aliceTrap.accept()) {
                    trapConnections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void tearDown() throws IOException {
        for (Cli.Background b : new Cli.Background[] {bobListen, aliceListen}) {
            if (b != null) {
                b.close();
            }
        }
        aliceTrap.close();
        node.close();
    }

    private static Cli profile(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static JsonNode newIdentity(Cli cli) {
        JsonNode id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        ok(cli, "register");
        return id;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static List<JsonNode> inbox(Cli cli) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ok(cli, "inbox", "--json").stdout().strip().lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    private static long count(List<JsonNode> messages, String text) {
        return messages.stream().filter(m -> m.path("text").asText().equals(text)).count();
    }

    /** Bob's requests, by peer ID. */
    private static Map<String, JsonNode> requests(Cli cli) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode r : ok(cli, "requests", "--json").json().path("requests")) {
            out.put(r.path("peer").asText(), r);
        }
        return out;
    }

    private static List<String> texts(JsonNode request) {
        List<String> out = new ArrayList<>();
        request.path("messages").forEach(m -> out.add(m.path("text").asText()));
        return out;
    }

    private static BigInteger balance(String address) {
        return node.chain().balance(address);
    }

    private static BigInteger nonce(String address) {
        return node.chain().send(node.chain().web3j().ethGetTransactionCount(address,
                DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    private static RequestStatus status(String requestId) {
        return messenger.requestStatus(HexFormat.of().parseHex(requestId.substring(2)));
    }

    private static Cli.Background listen(Cli cli, String... extra) {
        List<String> args = new ArrayList<>(List.of("listen", "--port", "0", "--json"));
        args.addAll(List.of(extra));
        Cli.Background b = cli.start(args.toArray(String[]::new));
        b.awaitStdout("\"advertised\"", 60);
        return b;
    }

    /** Waits until Bob's listener has read the mailbox past {@code text}, sent by a contact after everything else. */
    private static void awaitBobPast(Cli contact, String text) {
        ok(contact, "send", bobId, text, "--via", "chain");
        bobListen.awaitStdout(text, 60);
    }

    @Test
    @Order(1)
    void aStrangersFirstMessageWaitsAsARequestAndCostsBobNothing() {
        bobListen = listen(bob);
        aliceListen = listen(alice, "--advertise", "127.0.0.1:" + aliceTrap.getLocalPort());
        BigInteger balance = balance(bobAddress);
        BigInteger nonce = nonce(bobAddress);
        String bobMailbox = ok(bob, "mailbox-account", "--json").json().path("address").asText();
        BigInteger mailboxNonce = nonce(bobMailbox);

        JsonNode sent = ok(alice, "send", bobId, "hi Bob, it's Alice", "--timeout", "3s", "--json").json();
        assertTrue(sent.path("pending").asBoolean(), sent::toString);
        assertFalse(sent.path("delivered").asBoolean(), sent::toString);
        assertEquals("request", sent.path("via").asText());
        bobListen.awaitStderr("message request from", 60);

        JsonNode request = requests(bob).get(aliceId);
        assertEquals(List.of("hi Bob, it's Alice"), texts(request), request::toString);
        assertEquals(sent.path("requestId").asText(), request.path("requestIds").get(0).asText());
        assertEquals(balance, balance(bobAddress), "Bob paid nothing");
        assertEquals(nonce, nonce(bobAddress), "Bob sent no transaction");
        assertEquals(mailboxNonce, nonce(bobMailbox), "nor did his mailbox account");
        assertEquals(RequestStatus.PENDING, status(sent.path("requestId").asText()), "no AuthAccepted on chain");
        assertEquals(0, trapConnections.get(), "Bob never connected to the endpoint Alice supplied");
        assertEquals(0, count(inbox(bob), "hi Bob, it's Alice"), "not in the inbox before consent");
        Cli.Result text = ok(bob, "requests");
        assertTrue(text.stdout().contains("hi Bob, it's Alice"), text::toString);
    }

    @Test
    @Order(2)
    void acceptingStartsTheSessionBothWaysWithTheFirstMessageReceived() {
        JsonNode accepted = ok(bob, "accept", aliceId, "--json").json();
        assertEquals("accepted", accepted.path("status").asText(), accepted::toString);
        assertEquals(1, accepted.path("messages").asInt());
        assertTrue(requests(bob).isEmpty(), "no longer a request");
        assertEquals(1, count(inbox(bob), "hi Bob, it's Alice"));

        ok(alice, "send", bobId, "now through the session", "--via", "chain");
        bobListen.awaitStdout("now through the session", 60);
        ok(bob, "send", aliceId, "hello Alice", "--ack-timeout", "500ms");
        aliceListen.awaitStdout("hello Alice", 60);
        List<JsonNode> aliceSent = new ArrayList<>();
        for (String line : ok(alice, "inbox", "--all", "--json").stdout().strip().lines().toList()) {
            if (line.contains("hi Bob, it's Alice")) {
                aliceSent.add(parse(line));
            }
        }
        assertEquals("delivered", aliceSent.get(0).path("status").asText(), "Bob's accept delivered it");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(3)
    void aContactIsAnsweredAutomatically() {
        JsonNode auth = ok(alice, "auth", bobId, "--json").json();
        assertEquals("established", auth.path("status").asText(), auth::toString);
    }

    @Test
    @Order(4)
    void declineSendsNothingAndALaterRequestShowsAgain() {
        Cli carol = profile("carol");
        String carolId = newIdentity(carol).path("id").asText();
        JsonNode sent = ok(carol, "send", bobId, "carol here", "--timeout", "1s", "--json").json();
        assertTrue(sent.path("pending").asBoolean(), sent::toString);
        awaitBobPast(alice, "after carol's request");
        assertEquals(List.of("carol here"), texts(requests(bob).get(carolId)));
        BigInteger nonce = nonce(bobAddress); // (Bob acknowledged Alice's message on chain before this)

        JsonNode declined = ok(bob, "decline", carolId, "--json").json();
        assertEquals(1, declined.path("declined").asInt());
        assertFalse(requests(bob).containsKey(carolId));
        assertEquals(nonce, nonce(bobAddress), "nothing on chain");
        assertEquals(RequestStatus.PENDING, status(sent.path("requestId").asText()));
        Cli.Result again = bob.run("decline", carolId);
        assertEquals(1, again.exitCode(), again::toString);
        assertTrue(again.stderr().contains("error: no message request from"), again::toString);

        ok(carol, "send", bobId, "carol again", "--timeout", "1s");
        awaitBobPast(alice, "after carol's second request");
        assertEquals(List.of("carol here", "carol again"), texts(requests(bob).get(carolId)),
                "declining is not blocking; the new request carries both waiting messages");
    }

    @Test
    @Order(5)
    void aBlockedIdentitysRequestsAndEnvelopesAreIgnoredSilently() {
        Cli mallory = profile("mallory");
        JsonNode malloryIdentity = newIdentity(mallory);
        String malloryId = malloryIdentity.path("id").asText();
        String malloryName = malloryIdentity.path("name").asText();
        ok(mallory, "send", bobId, "let me in", "--timeout", "1s");
        awaitBobPast(alice, "after mallory's request");
        ok(bob, "accept", malloryId);
        ok(mallory, "send", bobId, "before the block", "--via", "chain"); // finishes the handshake, then sends
        bobListen.awaitStdout("before the block", 60);

        JsonNode blocked = ok(bob, "block", malloryId, "--json").json();
        assertTrue(blocked.path("blocked").asBoolean());
        int notices = occurrences(bobListen.stderr(), "message request from");
        String errors = bobListen.stderr();
        ok(mallory, "send", bobId, "after the block", "--via", "chain"); // through the old session
        Cli.Result auth = mallory.run("auth", bobId, "--timeout", "1s", "--json"); // a new request
        assertEquals("pending", auth.json().path("status").asText(), auth::toString);
        ok(mallory, "send", bobId, "another after the block", "--via", "chain");
        awaitBobPast(alice, "after mallory was blocked");

        assertEquals(0, count(inbox(bob), "after the block"));
        assertFalse(requests(bob).containsKey(malloryId));
        assertEquals(notices, occurrences(bobListen.stderr(), "message request from"), "no notice");
        String said = bobListen.stderr().substring(errors.length());
        for (String word : List.of(malloryId, malloryName, "refused", "request")) {
            assertFalse(said.contains(word), "nothing said about Mallory at all:\n" + said);
        }
        JsonNode list = ok(bob, "requests", "--json").json();
        assertEquals(malloryId, list.path("blocked").get(0).asText(), list::toString);

        ok(bob, "unblock", malloryId);
        Cli.Result again = mallory.run("auth", bobId, "--timeout", "1s", "--json"); // no answer: the request waits
        assertEquals("pending", again.json().path("status").asText(), again::toString);
        awaitBobPast(alice, "after mallory was unblocked");
        assertTrue(requests(bob).containsKey(malloryId), "after the unblock, a request waits again");
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    /** An RPC node that delivers every AuthRequested log twice. */
    private static String duplicateRequests(String method, String answer) {
        if (!method.equals("eth_getLogs")) {
            return answer;
        }
        try {
            JsonNode root = JSON.readTree(answer);
            ArrayNode logs = (ArrayNode) root.path("result");
            List<JsonNode> copies = new ArrayList<>();
            logs.forEach(log -> {
                if (REQUESTED.equalsIgnoreCase(log.path("topics").path(0).asText())) {
                    copies.add(log.deepCopy());
                }
            });
            copies.forEach(logs::add);
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(6)
    void anOfflineBobReadsAFirstMessageOnceWhenHeComesOnlineAndAccepts() {
        bobListen.close();
        bobListen = null;
        Cli dave = profile("dave");
        String daveId = newIdentity(dave).path("id").asText();
        JsonNode first = ok(dave, "send", bobId, "are you there?", "--timeout", "1s", "--json").json();
        assertTrue(first.path("pending").asBoolean(), first::toString);
        // Another send before Bob answers: a new request, re-signed, carrying both messages.
        JsonNode second = ok(dave, "send", bobId, "it's Dave", "--timeout", "1s", "--json").json();
        assertTrue(second.path("pending").asBoolean(), second::toString);
        assertFalse(first.path("requestId").asText().equals(second.path("requestId").asText()));

        try (TamperingProxy twice = TamperingProxy.start(node.rpcUrl())) {
            twice.tamper(MessageRequestsIT::duplicateRequests);
            Cli.Result online = ok(bob, "inbox", "--rpc", twice.url());
            assertTrue(online.stderr().contains("message request(s)"), online::toString);
            JsonNode request = requests(bob).get(daveId);
            assertEquals(2, request.path("requestIds").size(), request::toString);
            assertEquals(List.of("are you there?", "it's Dave"), texts(request),
                    "each message once: the log delivered twice, the first message carried twice");
            ok(bob, "accept", daveId, "--rpc", twice.url());
        }
        ok(dave, "inbox"); // Dave finishes the handshake and sends his key confirmation
        ok(dave, "send", bobId, "and now the ratchet", "--via", "chain");
        List<JsonNode> received = inbox(bob);
        assertEquals(1, count(received, "are you there?"));
        assertEquals(1, count(received, "it's Dave"));
        assertEquals(1, count(received, "and now the ratchet"));
    }
}
