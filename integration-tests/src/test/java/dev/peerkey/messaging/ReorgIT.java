package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.RequestStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * Chain reorganisations on a real Anvil node ({@code anvil_rollback}, {@code anvil_reorg}), each
 * user a separate CLI process: the mailbox follower reads again from the fork point; posts and
 * acknowledgements a reorganisation dropped are repeated until every message is delivered once
 * and acknowledged; handshake steps and a key rotation that a reorganisation undid are recovered.
 * "Later" is simulated with PEERKEY_TEST_CLOCK_OFFSET (the resend timer), never by waiting.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReorgIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far enough ahead that every resend and every resubmission is due. */
    private static final String LATER = "PT2M";
    /**
     * Far enough ahead that a message whose post is still on chain is due for its backstop resend
     * ({@link ChatClient#BACKSTOP_AFTER}, ten minutes).
     */
    private static final String BACKSTOP = "PT11M";

    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static MessengerContract messenger;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start(NodeKind.ANVIL);
        network = CliNetwork.deploy(node, dir);
        messenger = MessengerContract.at(node.chain(), network.messenger(), m -> { });
        alice = profile("alice");
        bob = profile("bob");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        // A session, by consent: Alice's first message rides on her request, Bob accepts it.
        ok(alice, "send", bobId, "hello Bob", "--timeout", "1s");
        ok(bob, "accept", aliceId);
        ok(alice, "inbox"); // finishes the handshake and posts the key confirmation
        ok(bob, "inbox"); // confirms the session and acknowledges the confirmation
        ok(alice, "inbox");
        assertEquals(1, count(received(bob), "hello Bob"));
    }

    @AfterAll
    static void tearDown() {
        if (node != null) {
            node.close();
        }
    }

    private static Cli profile(String name) {
        return profile(name, null);
    }

    /** The profile's CLI; with {@code clockOffset}, its clock runs that far ahead (timers due). */
    private static Cli profile(String name, String clockOffset) {
        Map<String, String> own = network.env(name);
        if (clockOffset != null) {
            own.put("PEERKEY_TEST_CLOCK_OFFSET", clockOffset);
        }
        return new Cli(own);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    /** Every message line `inbox --all --json` prints (received and sent). */
    private static List<JsonNode> messages(Cli cli) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ok(cli, "inbox", "--all", "--json").stdout().strip().lines().toList()) {
            if (line.startsWith("{") && line.contains("\"text\"")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    private static List<JsonNode> received(Cli cli) {
        return messages(cli).stream().filter(m -> m.path("status").asText().equals("received")).toList();
    }

    private static long count(List<JsonNode> messages, String text) {
        return messages.stream().filter(m -> m.path("text").asText().equals(text)).count();
    }

    /** The status of Alice's sent message {@code text} as her profile records it (after a mailbox pass). */
    private static String sentStatus(List<JsonNode> aliceMessages, String text) {
        List<JsonNode> sent = aliceMessages.stream().filter(m -> m.path("text").asText().equals(text)
                && !m.path("status").asText().equals("received")).toList();
        assertEquals(1, sent.size(), () -> text + " in " + aliceMessages);
        return sent.get(0).path("status").asText();
    }

    private static String send(Cli from, String to, String text) {
        return ok(from, "send", to, text, "--via", "chain", "--json").json().path("txHash").asText();
    }

    /** Each of {@code texts} reached Bob exactly once, and Alice holds Bob's acknowledgement of each. */
    private static void deliveredOnceAndAcknowledged(String... texts) {
        List<JsonNode> bobGot = received(bob);
        List<JsonNode> aliceHas = messages(alice);
        for (String text : texts) {
            assertEquals(1, count(bobGot, text), () -> text + " in Bob's inbox " + bobGot);
            assertEquals("delivered", sentStatus(aliceHas, text), text);
        }
    }

    /**
     * The repro: Bob reads three empty blocks, the chain rolls them back, and Alice's
     * next four posts are mined at or below the block Bob had read to. A follower that trusted its
     * cursor read only the fourth; this one sees that the block it stood on changed and reads again.
     */
    @Test
    @Order(1)
    void postsMinedAtOrBelowTheCursorAfterARollbackAreRead() {
        node.mine(3);
        ok(bob, "inbox");
        node.rollback(3);
        List<String> texts = List.of("after rollback 1", "after rollback 2", "after rollback 3", "after rollback 4");
        texts.forEach(t -> send(alice, bobId, t));
        ok(alice, "inbox"); // nothing for Alice yet; her follower went through the rollback too
        deliveredOnceAndAcknowledged(texts.toArray(String[]::new));
    }

    /**
     * A post mined after the block Bob read to is re-included by a reorganisation in that very
     * block (anvil_reorg replays it there): below the old cursor, in a block with a new hash.
     */
    @Test
    @Order(2)
    void aPostReincludedInTheBlockTheFollowerReadIsRead() {
        ok(bob, "inbox");
        node.mine(1);
        ok(bob, "inbox");
        long read = node.head(); // Bob's cursor
        String tx = send(alice, bobId, "re-included below the cursor");
        String raw = node.rawTransaction(tx);
        node.reorg((int) (node.head() - read + 1), new TestChain.Replay(raw, 0));
        deliveredOnceAndAcknowledged("re-included below the cursor");
    }

    /**
     * Alice's posts are mined, then a reorganisation drops them while Bob is offline. Her
     * profile records them as sent; a later run of hers resends the same envelopes, and Bob gets
     * each once.
     */
    @Test
    @Order(3)
    void postsDroppedWhileTheRecipientIsOfflineAreResent() {
        ok(alice, "inbox");
        long before = node.head();
        List<String> texts = List.of("dropped 1", "dropped 2", "dropped 3");
        texts.forEach(t -> send(alice, bobId, t));
        node.reorg((int) (node.head() - before));
        List<JsonNode> aliceHas = messages(alice);
        texts.forEach(t -> assertEquals("sent", sentStatus(aliceHas, t), t));

        Cli.Result resend = ok(profile("alice", LATER), "inbox");
        assertFalse(resend.stderr().contains("could not resend"), resend::toString);
        deliveredOnceAndAcknowledged(texts.toArray(String[]::new));
    }

    /** Like the above, with Alice's `listen` running: it resends, and takes Bob's acknowledgements. */
    @Test
    @Order(4)
    void aRunningListenResendsDroppedPosts() throws InterruptedException {
        ok(alice, "inbox");
        long before = node.head();
        send(alice, bobId, "dropped while listening");
        node.reorg((int) (node.head() - before));
        try (Cli.Background listen = profile("alice", LATER).start("listen", "--port", "0", "--json")) {
            listen.awaitStderr("resent 1 message(s)", 120);
            assertEquals(1, count(received(bob), "dropped while listening")); // Bob reads and acknowledges
            for (int i = 0; i < 30 && !"delivered".equals(sentStatus(messages(alice), "dropped while listening")); i++) {
                Thread.sleep(1000); // the listener takes the acknowledgement on its next pass
            }
        }
        deliveredOnceAndAcknowledged("dropped while listening");
    }

    /**
     * Bob reads Alice's messages and acknowledges them; a reorganisation drops his
     * acknowledgement. Alice's posts are still on chain, so she resends them as the backstop, ten
     * minutes on; Bob ignores the copies, acknowledges them again, and stores nothing twice.
     */
    @Test
    @Order(5)
    void acknowledgementsDroppedAfterTheRecipientReadThemAreRepeated() {
        List<String> texts = List.of("ack dropped 1", "ack dropped 2");
        texts.forEach(t -> send(alice, bobId, t));
        long before = node.head();
        List<JsonNode> bobGot = received(bob); // reads both and acknowledges them
        texts.forEach(t -> assertEquals(1, count(bobGot, t), t));
        assertTrue(node.head() > before, "Bob posted an acknowledgement");
        node.reorg((int) (node.head() - before));
        List<JsonNode> aliceHas = messages(alice);
        texts.forEach(t -> assertEquals("sent", sentStatus(aliceHas, t), t));

        Cli.Result early = ok(profile("alice", LATER), "inbox");
        assertFalse(early.stderr().contains("resent"), "posts still on chain wait for the backstop: " + early);
        ok(profile("alice", BACKSTOP), "inbox"); // resends both envelopes
        Cli.Result copies = ok(bob, "inbox");
        assertTrue(copies.stderr().contains("ignored a second copy"), copies::toString);
        deliveredOnceAndAcknowledged(texts.toArray(String[]::new));
    }

    /**
     * A stranger's request, accepted; the reorganisation drops the accept. Without recovery both
     * sides waited for an hour; here Bob's next run submits the same signed accept again and the
     * session completes.
     */
    @Test
    @Order(6)
    void aDroppedAcceptIsSubmittedAgain() {
        Cli carol = profile("carol");
        String carolId = CliNetwork.newIdentity(carol);
        String requestId = ok(carol, "send", bobId, "hi Bob, Carol here", "--timeout", "1s", "--json").json()
                .path("requestId").asText();
        long before = node.head();
        ok(bob, "accept", carolId);
        assertEquals(RequestStatus.ACCEPTED, status(requestId));
        node.reorg((int) (node.head() - before));
        assertEquals(RequestStatus.PENDING, status(requestId), "the accept is gone, the request stays");

        Cli.Result again = ok(profile("bob", LATER), "inbox");
        assertTrue(again.stderr().contains("submitted it again"), again::toString);
        assertEquals(RequestStatus.ACCEPTED, status(requestId));
        ok(carol, "inbox"); // finishes the handshake
        ok(bob, "inbox"); // the key confirmation
        send(carol, bobId, "Carol after the reorg");
        List<JsonNode> bobGot = received(bob);
        assertEquals(1, count(bobGot, "hi Bob, Carol here"), bobGot::toString);
        assertEquals(1, count(bobGot, "Carol after the reorg"), bobGot::toString);
    }

    /**
     * The reorganisation drops both the request and its accept: Dave's next run submits his
     * request again (the same signed request), Bob's submits his accept again, and they talk.
     */
    @Test
    @Order(7)
    void aDroppedRequestAndAcceptAreBothSubmittedAgain() {
        Cli dave = profile("dave");
        String daveId = CliNetwork.newIdentity(dave);
        ok(dave, "inbox"); // Dave's mailbox account is funded before the blocks that are dropped
        long before = node.head();
        String requestId = ok(dave, "send", bobId, "hi Bob, Dave here", "--timeout", "1s", "--json").json()
                .path("requestId").asText();
        ok(bob, "accept", daveId);
        node.reorg((int) (node.head() - before));
        assertEquals(RequestStatus.NONE, status(requestId));

        Cli.Result request = ok(profile("dave", LATER), "inbox");
        assertTrue(request.stderr().contains("submitted it again"), request::toString);
        assertEquals(RequestStatus.PENDING, status(requestId));
        Cli.Result accept = ok(profile("bob", LATER), "inbox");
        assertTrue(accept.stderr().contains("submitted it again"), accept::toString);
        assertEquals(RequestStatus.ACCEPTED, status(requestId));
        ok(dave, "inbox");
        ok(bob, "inbox");
        send(dave, bobId, "Dave after the reorg");
        List<JsonNode> bobGot = received(bob);
        assertEquals(1, count(bobGot, "hi Bob, Dave here"), bobGot::toString);
        assertEquals(1, count(bobGot, "Dave after the reorg"), bobGot::toString);
    }

    /**
     * Alice rotates her key; the receipt arrives and the profile switches to the new key; then a
     * reorganisation drops the rotation. Her next command adopts the key the chain holds (the
     * older one), keeps the newer key's file, and works; a new rotation then succeeds.
     */
    @Test
    @Order(10) // last: Bob refuses Alice's session made with her older key from here on
    void aRotationUndoneByAReorgLeavesTheProfileOnTheChainsKey() throws IOException {
        long keyFiles = keyFiles();
        long before = node.head();
        String rotated = ok(alice, "rotate", "--json").json().path("publicKey").asText();
        node.reorg((int) (node.head() - before));
        String onChain = ok(alice, "lookup", aliceId, "--json").json().path("publicKey").asText();
        assertFalse(onChain.equalsIgnoreCase(rotated), "the rotation is gone from the chain");

        Cli.Result send = ok(alice, "send", bobId, "on the older key", "--via", "chain");
        assertTrue(send.stderr().contains("adopted key #0") && send.stderr().contains("no longer on chain"),
                send::toString);
        deliveredOnceAndAcknowledged("on the older key");
        assertEquals(keyFiles + 1, keyFiles(), "the newer key's file stays");

        String again = ok(alice, "rotate", "--json").json().path("publicKey").asText();
        assertEquals(again.toLowerCase(), ok(alice, "lookup", aliceId, "--json").json().path("publicKey").asText()
                .toLowerCase());
    }

    /**
     * A post that a reorganisation dropped is posted again by the very next pass of the sender,
     * without waiting for the resend timer: the resend asks the chain for the post's receipt first.
     */
    @Test
    @Order(8)
    void aDroppedPostIsResentAtTheNextPassWithoutWaiting() {
        ok(alice, "inbox");
        ok(bob, "inbox");
        long before = node.head();
        send(alice, bobId, "dropped, resent at once");
        node.reorg((int) (node.head() - before));
        Cli.Result next = ok(alice, "inbox"); // our clock: nothing is a minute old
        assertTrue(next.stderr().contains("is no longer on chain") && next.stderr().contains("resent 1 message(s)"),
                next::toString);
        deliveredOnceAndAcknowledged("dropped, resent at once");
    }

    /**
     * A post still on chain to a recipient that is offline is not posted again at every pass, nor
     * a minute later as before: only once, as the backstop, ten minutes on. The recipient, back
     * online, stores it once and acknowledges it.
     */
    @Test
    @Order(9)
    void aPostStillOnChainToAnOfflinePeerIsNotResentAtEveryPass() {
        ok(alice, "inbox");
        send(alice, bobId, "to offline Bob");
        long head = node.head();
        // Up to 4 minutes on: well before the ten-minute backstop, however long these runs take.
        for (String later : List.of("PT0S", "PT1M", "PT2M", "PT4M")) {
            Cli.Result pass = ok(profile("alice", later), "inbox");
            assertFalse(pass.stderr().contains("resent"), later + ": " + pass);
            assertEquals(head, node.head(), later + ": nothing posted");
        }
        assertEquals("sent", sentStatus(messages(alice), "to offline Bob"));
        Cli.Result backstop = ok(profile("alice", BACKSTOP), "inbox");
        assertTrue(backstop.stderr().contains("resent 1 message(s)"), backstop::toString);
        assertEquals(head + 1, node.head(), "one copy");
        deliveredOnceAndAcknowledged("to offline Bob");
    }

    private static long keyFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("alice/keystore"))) {
            return files.count();
        }
    }

    private static RequestStatus status(String requestId) {
        return messenger.requestStatus(HexFormat.of().parseHex(requestId.substring(2)));
    }
}
