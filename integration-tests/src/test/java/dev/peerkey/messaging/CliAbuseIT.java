package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.identity.PeerId;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.TestChain;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKeyFile;
import dev.peerkey.transport.direct.DirectServer;
import dev.peerkey.transport.direct.Frame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, items 5, 6 and 8, with the CLI as separate processes against a real Hardhat node:
 * a profile with two identities never speaks with the wrong one; a peer's control characters
 * reach the terminal only as visible escapes; a message no route can carry is refused before it
 * is queued, an envelope the Messenger refuses for good is marked failed without holding up the
 * others, and `outbox` and `cancel` show and drop what has not left.
 *
 * <p>Alice's profile holds two identities (A1, the default, and A2); Bob listens for direct
 * connections; Carol only ever reads the mailbox.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAbuseIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Clear the screen, home the cursor, forge a sender, return to the line start, reverse the rest. */
    private static final String EVIL = "\u001b[2J\u001b[Hmallory -> : fake\r\u202etxt.exe\nsecond line";
    private static final String EVIL_SHOWN = "\\x1b[2J\\x1b[Hmallory -> : fake\\r\\u202etxt.exe";

    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static Cli alice;
    private static Cli bob;
    private static Cli carol;
    private static String a1;
    private static String a2;
    private static String bobId;
    private static String carolId;
    private static Cli.Background bobListen;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        carol = network.profile("carol");
        a1 = CliNetwork.newIdentity(alice);
        a2 = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(alice, "register", "--id", a2);
        bobId = CliNetwork.newIdentity(bob);
        carolId = CliNetwork.newIdentity(carol);
        bobListen = bob.start("listen", "--port", "0", "--json");
        bobListen.awaitStdout("\"advertised\"", 60);
        // Neither of Alice's identities is a contact of Bob's: each request waits for his consent.
        alice.run("auth", bobId, "--timeout", "2s");
        alice.run("auth", bobId, "--id", a2, "--timeout", "2s");
        bobListen.awaitStderr("message request from " + name(a1), 60);
        bobListen.awaitStderr("message request from " + name(a2), 60);
        ok(bob, "accept", a1);
        ok(bob, "accept", a2);
        ok(alice, "inbox"); // both identities finish their handshakes
        ok(alice, "inbox", "--id", a2);
    }

    @AfterAll
    static void tearDown() {
        if (bobListen != null) {
            bobListen.close();
        }
        node.close();
    }

    private static Path home(String name) {
        return dir.resolve(name);
    }

    private static String name(String id) {
        return PeerId.parse(id).displayName().value();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        return result;
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

    private static List<JsonNode> inbox(Cli cli, String... more) {
        List<String> args = new ArrayList<>(List.of("inbox", "--json"));
        args.addAll(List.of(more));
        return jsonLines(ok(cli, args.toArray(String[]::new)).stdout());
    }

    private static List<JsonNode> withText(List<JsonNode> messages, String text) {
        return messages.stream().filter(m -> m.path("text").asText().equals(text)).toList();
    }

    private static JsonNode only(List<JsonNode> messages, String text) {
        List<JsonNode> found = withText(messages, text);
        assertEquals(1, found.size(), () -> "'" + text + "' once in " + messages);
        return found.get(0);
    }

    private static List<JsonNode> outbox(Cli cli) {
        JsonNode json = ok(cli, "outbox", "--json").json().path("messages");
        return StreamSupport.stream(json.spliterator(), false).toList();
    }

    private static List<String> ids(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("id").asText()).toList();
    }

    private static JsonNode inOutbox(Cli cli, String messageId) {
        return outbox(cli).stream().filter(m -> m.path("id").asText().equals(messageId)).findFirst()
                .orElseThrow(() -> new AssertionError(messageId + " not in the outbox"));
    }

    /** Nothing a terminal would act on: no ESC, BEL, CR, C1 or bidirectional control. */
    private static void assertNoControls(String printed) {
        printed.codePoints().forEach(cp -> assertFalse(cp == 0x1b || cp == 0x07 || cp == '\r'
                || (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069),
                () -> String.format("U+%04X printed raw in: %s", cp, printed)));
    }

    /** The text line showing EVIL, and its continuation line indented under the sender prefix. */
    private static void assertEvilShownEscaped(String printed) {
        assertNoControls(printed);
        List<String> lines = printed.lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(EVIL_SHOWN)) {
                at = i;
            }
        }
        assertTrue(at >= 0 && at + 1 < lines.size(), printed);
        String first = lines.get(at);
        assertTrue(first.startsWith("[") && first.contains(name(bobId) + " -> "), first);
        int indent = first.indexOf(EVIL_SHOWN);
        assertEquals(" ".repeat(indent) + "second line", lines.get(at + 1), "indented under the sender prefix");
    }

    /**
     * Stores an outgoing message in a profile's store exactly as a client queues one (as an older
     * client did for any length): encrypted under the session's ratchet, stored, not yet sent.
     * Run while no process of the profile writes.
     */
    private static String queue(String home, String ourId, String peer, String text) {
        try (Store store = openStore(home)) {
            return store.inTransactionReturning(tx -> {
                SessionRecord s = tx.session(PeerId.parse(ourId), PeerId.parse(peer)).orElseThrow();
                DoubleRatchet ratchet = DoubleRatchet.fromBytes(s.state());
                Packet packet = Packet.text(text, Instant.now());
                byte[] envelope = ratchet.encrypt(packet.encode());
                tx.saveState(s.sessionId(), ratchet.toBytes());
                return tx.insertOutgoing(s.sessionId(), packet.id(), MessageKind.TEXT, packet.body(), envelope)
                        .id().hex();
            });
        }
    }

    /** The profile's store, opened as its commands open it: with the store key the password unwraps. */
    private static Store openStore(String home) {
        return Store.open(home(home).resolve(Store.FILE_NAME),
                StoreKeyFile.unlock(home(home).resolve(StoreKeyFile.FILE_NAME), "correct horse".toCharArray()));
    }

    /** Makes queued messages two minutes old, so the next command's resend takes them. */
    private static void age(String home, List<String> messageIds) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home(home).resolve(Store.FILE_NAME));
                Statement st = c.createStatement()) {
            for (String id : messageIds) {
                st.executeUpdate("UPDATE messages SET created_at = created_at - 120000 WHERE id = x'"
                        + id.substring(2) + "'");
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(1)
    void theDefaultIdentitySpeaksUnlessIdNamesAnother() {
        JsonNode first = ok(alice, "send", bobId, "from the default", "--json").json();
        assertEquals(a1, first.path("from").asText());
        JsonNode second = ok(alice, "send", bobId, "from the second", "--id", a2, "--json").json();
        assertEquals(a2, second.path("from").asText());
        // The finding: with A2's session the newer one, a send without --id went out from A2.
        JsonNode again = ok(alice, "send", bobId, "from the default again", "--json").json();
        assertEquals(a1, again.path("from").asText());
        bobListen.awaitStdout("from the default again", 60);

        List<JsonNode> received = inbox(bob);
        assertEquals(a1, only(received, "from the default").path("from").asText());
        assertEquals(a2, only(received, "from the second").path("from").asText());
        assertEquals(a1, only(received, "from the default again").path("from").asText(), "Bob sees the right sender");
        received.forEach(m -> assertEquals(bobId, m.path("to").asText()));

        JsonNode sessions = ok(alice, "sessions", "--json").json().path("sessions");
        assertEquals(2, sessions.size(), sessions::toString);
        JsonNode a2Sessions = ok(alice, "sessions", "--id", a2, "--json").json().path("sessions");
        assertEquals(1, a2Sessions.size());
        assertEquals(a2, a2Sessions.get(0).path("ourId").asText());
        assertEquals(bobId, a2Sessions.get(0).path("peer").asText());

        fails(alice, "another identity of this profile", "send", a2, "to myself");
    }

    @Test
    @Order(2)
    void aMessageToTheSecondIdentityShowsAsAddressedToIt() {
        ok(bob, "send", a2, "for the second identity");
        JsonNode got = only(inbox(alice, "--id", a2), "for the second identity");
        assertEquals(bobId, got.path("from").asText());
        assertEquals(a2, got.path("to").asText());
        assertTrue(withText(inbox(alice, "--id", a1), "for the second identity").isEmpty(), "not A1's");

        String text = ok(alice, "inbox").stdout();
        String line = text.lines().filter(l -> l.contains("for the second identity")).findFirst().orElseThrow();
        assertTrue(line.contains(name(bobId) + " -> " + name(a2) + " (chain): for the second identity"), line);
    }

    @Test
    @Order(3)
    void aPeersControlCharactersAreShownEscapedInChatAndInbox() {
        Cli.Background chat = alice.startTyping("chat", bobId);
        try {
            chat.awaitStderr("chatting with", 60);
            ok(bob, "send", a1, EVIL);
            String shown = chat.awaitStdout("second line", 60);
            chat.type("got it");
            assertEquals(0, chat.endInput(), chat::stderr);
            assertEvilShownEscaped(shown);
        } finally {
            chat.close();
        }
        bobListen.awaitStdout("got it", 60);

        assertEvilShownEscaped(ok(alice, "inbox").stdout());
        Cli.Result json = ok(alice, "inbox", "--json");
        assertNoControls(json.stdout());
        assertEquals(EVIL, only(jsonLines(json.stdout()), EVIL).path("text").asText(), "JSON keeps the exact text");
    }

    @Test
    @Order(4)
    void aMessageNoRouteCarriesIsRefusedBeforeItIsQueued() {
        // Carol reads only the mailbox: the handshake completes over three `inbox` runs.
        assertEquals(1, alice.run("auth", carolId, "--timeout", "1s").exitCode());
        ok(carol, "accept", a1); // Alice is no contact of Carol's: her request waits for consent
        ok(alice, "inbox");
        ok(carol, "inbox");

        String big = "x".repeat(17_000);
        List<String> before = ids(outbox(alice));
        Cli.Result refused = fails(alice, "more than the 16,297 the mailbox carries", "send", carolId, big);
        assertTrue(refused.stderr().contains("it was not sent"), refused::toString);
        assertTrue(refused.stderr().contains("--via direct"), refused::toString);
        fails(alice, "has not told us a direct endpoint", "send", carolId, big, "--via", "direct");
        fails(alice, "more than any route carries", "send", carolId, "y".repeat(70_000), "--via", "direct");
        List<String> after = ids(outbox(alice)); // the key confirmation may have been delivered meanwhile
        assertTrue(before.containsAll(after), () -> "nothing was queued: " + before + " then " + after);

        // A peer that listens takes it directly, when asked to: it cannot fall back to the mailbox.
        fails(alice, "16,297", "send", bobId, big);
        JsonNode direct = ok(alice, "send", bobId, big, "--via", "direct", "--json").json();
        assertEquals("direct", direct.path("via").asText(), direct::toString);
        assertTrue(direct.path("delivered").asBoolean(), direct::toString);
        assertEquals(big, only(inbox(bob), big).path("text").asText());

        // And nothing is stuck: send, inbox and listen go on working.
        ok(alice, "send", carolId, "short and fine");
        ok(alice, "inbox");
        try (Cli.Background listen = alice.start("listen", "--port", "0", "--json")) {
            listen.awaitStdout("\"advertised\"", 60);
        }
        only(inbox(carol), "short and fine");
    }

    @Test
    @Order(5)
    void anEnvelopeRefusedForGoodIsMarkedFailedAndTheOthersStillGo() {
        // What an older client left queued: a 17,000-character message in front of an ordinary one.
        String oversized = queue("alice", a1, carolId, "z".repeat(17_000));
        String behind = queue("alice", a1, carolId, "queued behind them");
        age("alice", List.of(oversized, behind));

        Cli.Result resent = ok(alice, "inbox");
        assertTrue(resent.stderr().contains("could not resend message " + oversized), resent::toString);
        assertTrue(resent.stderr().contains("marked failed"), resent::toString);

        JsonNode tooLarge = inOutbox(alice, oversized);
        assertEquals("failed", tooLarge.path("state").asText());
        assertTrue(tooLarge.path("size").asInt() > 16_384, tooLarge::toString);
        assertTrue(tooLarge.path("lastError").asText().contains("16384"), tooLarge::toString);
        assertEquals("sent", inOutbox(alice, behind).path("state").asText());

        List<JsonNode> received = inbox(carol);
        only(received, "queued behind them");
        assertTrue(withText(received, "z".repeat(17_000)).isEmpty());

        Cli.Result next = ok(alice, "inbox");
        assertFalse(next.stderr().contains("could not resend"), "failed messages are never retried: " + next);
        ok(alice, "send", carolId, "after the failures");
        only(inbox(carol), "after the failures");
    }

    @Test
    @Order(6)
    void outboxListsWhatHasNotLeftAndCancelDropsIt() {
        String id = queue("alice", a1, carolId, "never to be sent");
        JsonNode listed = inOutbox(alice, id);
        assertEquals("queued", listed.path("state").asText());
        assertEquals(a1, listed.path("from").asText());
        assertEquals(carolId, listed.path("to").asText());
        assertTrue(listed.path("size").asInt() > "never to be sent".length(), listed::toString);
        assertTrue(listed.path("ageSeconds").asLong() >= 0, listed::toString);
        String text = ok(alice, "outbox").stdout();
        assertTrue(text.lines().anyMatch(l -> l.startsWith(id) && l.contains("-> " + name(carolId))
                && l.contains("queued")), text);

        Cli.Result cancelled = ok(alice, "cancel", id, "--json");
        assertEquals("cancelled", cancelled.json().path("state").asText());
        assertTrue(cancelled.stderr().contains("skips the gap"), cancelled::toString);
        assertEquals("cancelled", inOutbox(alice, id).path("state").asText());
        assertEquals("cancelled", ok(alice, "cancel", id, "--json").json().path("state").asText(), "idempotent");

        age("alice", List.of(id));
        ok(alice, "inbox"); // a resend would take it now, were it not cancelled
        JsonNode after = ok(alice, "send", carolId, "after the cancel", "--json").json();
        List<JsonNode> received = inbox(carol);
        assertTrue(withText(received, "never to be sent").isEmpty(), "it never went out");
        only(received, "after the cancel"); // Carol's ratchet skipped the dropped message's key

        Cli.Result gone = alice.run("cancel", after.path("messageId").asText());
        assertEquals(1, gone.exitCode(), gone::toString);
        assertTrue(gone.stderr().contains("cannot be recalled") || gone.stderr().contains("already delivered"),
                gone::toString);
        fails(alice, "sent no message", "cancel", "0x" + "00".repeat(16));
        assertEquals(2, alice.run("cancel", "not-an-id").exitCode());
    }

    @Test
    @Order(7)
    void aRefusalReasonThatProvesNoSessionNeverReachesTheTerminal() {
        // Carol advertises an endpoint that answers every frame with a hostile "reason". It cannot
        // prove it holds the session, so Alice's client treats it as unreachable: the text is not
        // shown at all (escaped or not) and the message goes through the mailbox. (Only a refusal
        // proven under the session shows its reason, through the same escaping filter.)
        String reason = "\u001b]0;pwned\u0007\u001b[2Jgo away\r\u202eok";
        try (DirectServer hostile = DirectServer.start(new InetSocketAddress("127.0.0.1", 0),
                frame -> List.of(Frame.error(frame.tag(), reason)), line -> { })) {
            try (Cli.Background listen = carol.start("listen", "--port", "0", "--advertise",
                    "127.0.0.1:" + hostile.port(), "--json")) {
                listen.awaitStdout("\"advertised\"", 60);
                listen.awaitStderr("sent our endpoint", 60);
            }
            ok(alice, "inbox"); // the endpoint update
            Cli.Result sent = ok(alice, "send", carolId, "hello", "--via", "direct", "--json");
            String printed = sent.stdout() + sent.stderr();
            assertNoControls(printed);
            assertFalse(printed.contains("pwned") || printed.contains("go away"), sent::toString);
            assertEquals("chain", sent.json().path("via").asText(), sent::toString);
            assertTrue(sent.json().path("fallbackReason").asText().contains("did not prove"), sent::toString);
        }
    }
}
