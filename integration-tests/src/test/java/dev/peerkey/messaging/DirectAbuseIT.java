package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.identity.PeerId;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.TcpProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.direct.DirectServer;
import dev.peerkey.transport.direct.Frame;
import dev.peerkey.transport.direct.FrameCodec;
import dev.peerkey.transport.generated.Messenger;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A stranger attacks Bob's direct listener (`peerkey listen` in its own process, behind a
 * recording proxy) with what it can get: a copy of an envelope Bob received (captured on the
 * wire, or read from the chain's Posted logs) sent 1,010+ times, bursts of junk frames over
 * many connections, and probes for whose tag is whose. Alice and Bob are CLI processes against
 * a real Hardhat node; the attacker is this JVM, connecting from other loopback addresses
 * (127.0.0.2 and up) so that its budgets are not Alice's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectAbuseIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int READ_TIMEOUT_MS = 10_000;

    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static String messenger;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;
    private static int bobPort;
    private static TcpProxy bobProxy;
    private static Cli.Background bobListen;
    /** Bob's inbox tag for the session with Alice: learnt by watching Alice's frames. */
    private static byte[] bobTag;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        network = CliNetwork.deploy(node, dir);
        messenger = network.messenger();
        alice = network.profile("alice");
        bob = network.profile("bob");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        try (ServerSocket probe = new ServerSocket(0)) {
            bobPort = probe.getLocalPort();
        }
        bobProxy = TcpProxy.start(bobPort);
        bobListen = bob.start("listen", "--port", String.valueOf(bobPort), "--advertise",
                "127.0.0.1:" + bobProxy.port(), "--json");
        bobListen.awaitStdout("\"advertised\"", 60);
        alice.run("auth", bobId, "--timeout", "2s"); // Alice is no contact of Bob's: her request waits
        bobListen.awaitStderr("message request from", 60);
        ok(bob, "accept", aliceId);
        ok(alice, "inbox"); // Alice finishes the handshake and confirms the session
    }

    @AfterAll
    static void tearDown() {
        if (bobListen != null) {
            bobListen.close();
        }
        if (bobProxy != null) {
            bobProxy.close();
        }
        node.close();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    private static List<Frame> frames(byte[] wire) {
        List<Frame> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(wire);
        try {
            Optional<Frame> f;
            while ((f = FrameCodec.read(in)).isPresent()) {
                out.add(f.get());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** What came back for each frame sent: its answer, or null where the listener closed the connection. */
    private record Flood(List<Frame> answers) {
        long cut() {
            return answers.stream().filter(a -> a == null).count();
        }

        List<Frame> answered() {
            return answers.stream().filter(a -> a != null).toList();
        }
    }

    /**
     * Sends every frame to Bob's listener from {@code source}, one at a time, opening a new
     * connection whenever the listener closes one (or refuses it on accept).
     */
    private static Flood flood(String source, List<Frame> frames) {
        List<Frame> answers = new ArrayList<>();
        Socket socket = null;
        try {
            for (Frame frame : frames) {
                try {
                    if (socket == null) {
                        socket = connect(source);
                    }
                    FrameCodec.write(socket.getOutputStream(), frame);
                    Optional<Frame> answer = FrameCodec.read(socket.getInputStream());
                    answers.add(answer.orElse(null));
                    if (answer.isEmpty()) {
                        socket.close();
                        socket = null;
                    }
                } catch (IOException e) { // reset or closed by the listener
                    answers.add(null);
                    closeQuietly(socket);
                    socket = null;
                }
            }
        } finally {
            closeQuietly(socket);
        }
        return new Flood(answers);
    }

    private static Socket connect(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", bobPort), READ_TIMEOUT_MS);
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing is best effort
            }
        }
    }

    private static long postedLogs() {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
                messenger);
        filter.addSingleTopic(EventEncoder.encode(Messenger.POSTED_EVENT));
        return node.chain().send(node.chain().web3j().ethGetLogs(filter)).getLogs().size();
    }

    @Test
    @Order(1)
    void aCapturedEnvelopeSent1010TimesChangesNothingAndTheSessionStillWorks() throws Exception {
        bobProxy.record();
        JsonNode sent = ok(alice, "send", bobId, "captured on the wire", "--json").json();
        assertEquals("direct", sent.path("via").asText(), sent::toString);
        assertTrue(sent.path("delivered").asBoolean(), sent::toString);
        bobListen.awaitStdout("captured on the wire", 30);
        Frame captured = last(frames(bobProxy.sent()).stream().filter(f -> f.kind() == Frame.Kind.ENVELOPE).toList());
        Frame bobsAck = last(frames(bobProxy.answered()));
        assertEquals(Frame.Kind.REPLY, bobsAck.kind());
        bobTag = captured.tag();

        Flood flood = flood("127.0.0.2", java.util.Collections.nCopies(1_010, captured));
        assertEquals(1_010, flood.answers().size());
        assertTrue(flood.answered().size() >= 900, "most copies are answered (the rest cut by the frame limit)");
        for (Frame answer : flood.answered()) {
            assertEquals(bobsAck, answer, "every copy gets, byte for byte, the acknowledgement Alice got");
        }

        // Junk: random tags and Bob's tag with garbage, 20 connections at once from one address.
        List<Frame> junk = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            junk.add(Frame.envelope(i % 2 == 0 ? random(32) : bobTag, random(40 + i * 10)));
        }
        List<Flood> bursts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Flood>> running = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                running.add(pool.submit(() -> flood("127.0.0.2", junk)));
            }
            for (Future<Flood> f : running) {
                bursts.add(f.get());
            }
        }
        long refused = bursts.stream().mapToLong(b -> b.answered().size()).sum();
        long cut = bursts.stream().mapToLong(Flood::cut).sum();
        assertEquals(300, refused + cut);
        for (Flood b : bursts) {
            for (Frame answer : b.answered()) {
                assertTrue(answer.isRefusal(), "junk gets the refusal that says nothing: " + answer);
            }
        }
        assertTrue(cut > 0, "the listener cut the junk off (connections per address, refused frames per second)");
        bobListen.awaitStderr("over the limit", 30);
        assertTrue(bobListen.isAlive());

        // Both ways over the same session, and no side saw a counter far ahead.
        Cli.Result afterRun = ok(alice, "send", bobId, "after the flood", "--json");
        JsonNode after = afterRun.json();
        assertEquals("direct", after.path("via").asText(), after::toString);
        assertTrue(after.path("delivered").asBoolean(), after::toString);
        assertFalse(afterRun.stderr().contains("positions ahead"), afterRun::toString);
        bobListen.awaitStdout("after the flood", 30);
        ok(bob, "send", aliceId, "Bob after the flood");
        Cli.Result inbox = ok(alice, "inbox", "--json");
        assertTrue(inbox.stdout().contains("Bob after the flood"), inbox::toString);
        assertFalse(inbox.stderr().contains("positions ahead"), inbox::toString);
        assertFalse(bobListen.stderr().contains("positions ahead"), bobListen::stderr);
    }

    @Test
    @Order(2)
    void copiesOfAMailboxEnvelopeSentDirectlyAreRefusedLikeJunk() {
        JsonNode sent = ok(alice, "send", bobId, "through the mailbox", "--via", "chain", "--json").json();
        bobListen.awaitStdout("through the mailbox", 30);
        Messenger.PostedEventResponse posted = postedIn(sent.path("txHash").asText());
        // Under Bob's direct tag (the Posted one is a mailbox tag, which no direct frame carries).
        Frame copy = Frame.envelope(bobTag, posted.envelope);

        Flood flood = flood("127.0.0.3", java.util.Collections.nCopies(200, copy));
        assertFalse(flood.answered().isEmpty());
        for (Frame answer : flood.answered()) {
            assertTrue(answer.isRefusal(), answer::toString);
        }
        assertTrue(flood.cut() > 0, "past the refusal burst the connection is closed unanswered");
        assertEquals(1, ok(bob, "inbox", "--json").stdout().lines()
                .filter(l -> l.contains("\"through the mailbox\"")).count());
        JsonNode after = ok(alice, "send", bobId, "still direct", "--json").json();
        assertEquals("direct", after.path("via").asText(), after::toString);
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
    @Order(3)
    void aKnownTagWithGarbageAndARandomTagGetTheSameBytesNamingNoOne() throws IOException {
        assertNotNull(bobTag, "the first test learnt Bob's tag");
        byte[] known = rawAnswer("127.0.0.4", Frame.envelope(bobTag, random(120)));
        byte[] unknown = rawAnswer("127.0.0.5", Frame.envelope(random(32), random(120)));
        assertArrayEquals(known, unknown, "byte-identical answers");
        assertArrayEquals(FrameCodec.encode(Frame.refusal()), known);
        String text = new String(known, StandardCharsets.ISO_8859_1).toLowerCase();
        for (String id : List.of(aliceId, bobId)) {
            PeerId peer = PeerId.parse(id);
            assertFalse(text.contains(peer.hex().substring(2, 18)), "names no ID");
            assertFalse(text.contains(peer.displayName().value().toLowerCase()), "names no display name");
        }
    }

    /** Everything the listener sends back for one frame, until it has sent one whole frame. */
    private static byte[] rawAnswer(String source, Frame frame) throws IOException {
        try (Socket s = connect(source)) {
            FrameCodec.write(s.getOutputStream(), frame);
            return FrameCodec.encode(FrameCodec.read(s.getInputStream()).orElseThrow());
        }
    }

    @Test
    @Order(4)
    void aRefusalThatProvesNoSessionIsUnreachabilityAndTheMailboxDelivers() {
        // Someone else answers at Bob's endpoint, claiming a refusal it cannot prove (a forged ERROR).
        try (DirectServer impostor = DirectServer.start(new InetSocketAddress("127.0.0.1", 0),
                f -> List.of(Frame.error(random(32), "refused a message from you: your identity was revoked")),
                line -> { })) {
            bobProxy.target(impostor.port());
            JsonNode sent = ok(alice, "send", bobId, "past the impostor", "--json").json();
            assertEquals("chain", sent.path("via").asText(), sent::toString);
            assertTrue(sent.path("fallbackReason").asText().contains("did not prove"), sent::toString);
        } finally {
            bobProxy.target(bobPort);
        }
        bobListen.awaitStdout("past the impostor", 30);
    }

    @Test
    @Order(5)
    void aRevokedSendersSendFailsBeforeAnythingIsEncryptedOrPosted() {
        Cli carol = network.profile("carol");
        String carolId = CliNetwork.newIdentity(carol);
        carol.run("auth", bobId, "--timeout", "2s"); // Carol is no contact of Bob's: her request waits
        bobListen.awaitStderr("message request from", 60);
        ok(bob, "accept", carolId);
        JsonNode before = ok(carol, "send", bobId, "before revoking", "--json").json();
        assertEquals("direct", before.path("via").asText(), before::toString);
        ok(carol, "revoke", "--yes");
        long posts = postedLogs();

        for (String[] args : List.of(new String[] {"send", bobId, "after revoking"},
                new String[] {"send", bobId, "after revoking", "--via", "chain"})) {
            Cli.Result r = carol.run(args);
            assertEquals(1, r.exitCode(), r::toString);
            List<String> errors = r.stderr().lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(1, errors.size(), r::toString);
            assertTrue(errors.get(0).startsWith("error: cannot send: our identity 0x"), r::toString);
            assertTrue(errors.get(0).contains("was revoked at"), r::toString);
            assertTrue(r.stdout().isBlank(), r::toString);
        }
        assertEquals(posts, postedLogs(), "nothing went to the mailbox");
        assertFalse(bobListen.stdout().contains("after revoking"));
    }
}
