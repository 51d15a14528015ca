package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * `inbox` as a history, run as separate processes against a real node: sent messages with their
 * delivery state, contact names where known and IDs elsewhere, and the filters --from, --since,
 * --limit and --unread (with the read mark it keeps).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboxHistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Cli alice;
    private static Cli bob;
    private static Cli carol;
    private static String aliceId;
    private static String bobId;
    private static String carolId;
    private static String carolName;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        CliNetwork network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        carol = network.profile("carol");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        JsonNode carolIdentity = ok(carol, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        carolId = carolIdentity.path("id").asText();
        carolName = carolIdentity.path("name").asText();
        ok(carol, "register", "--valid-for", "365d");
        CliNetwork.connect(alice, "alice", aliceId, bob, "bob", bobId);
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    private static Cli.Result exits(int code, String expected, Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(code, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        assertEquals(1, result.stderr().strip().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        return result;
    }

    /** The message lines of a text `inbox` (each starts with its time). */
    private static List<String> lines(Cli.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("[")).toList();
    }

    private static List<JsonNode> json(Cli.Result result) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : result.stdout().strip().lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError(line, e);
                }
            }
        }
        return out;
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("text").asText()).toList();
    }

    private static String lineWith(List<String> lines, String text) {
        return lines.stream().filter(l -> l.endsWith(": " + text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + text + "' in " + lines));
    }

    @Test
    @Order(1)
    void sentMessagesShowTheirDeliveryStateInText() {
        ok(alice, "send", "bob", "to bob");
        String sent = lineWith(lines(ok(alice, "inbox")), "to bob");
        assertTrue(sent.contains("] -> bob (chain) [sent]: to bob"), sent);
        ok(bob, "inbox"); // Bob receives it and acknowledges
        String delivered = lineWith(lines(ok(alice, "inbox")), "to bob");
        assertTrue(delivered.contains("] -> bob (chain) [delivered]: to bob"), delivered);

        assertFalse(texts(json(ok(alice, "inbox", "--json"))).contains("to bob"), "JSON lists received ones only");
        JsonNode out = json(ok(alice, "inbox", "--json", "--all")).stream()
                .filter(m -> m.path("text").asText().equals("to bob")).findFirst().orElseThrow();
        assertEquals("out", out.path("direction").asText());
        assertEquals("delivered", out.path("status").asText());
        assertEquals(bobId, out.path("to").asText());
    }

    @Test
    @Order(2)
    void linesNameContactsWhereKnownAndJsonCarriesIdAndName() {
        ok(bob, "send", "alice", "from bob");
        ok(carol, "send", aliceId, "from carol"); // no session: it rides on a handshake request
        ok(alice, "accept", carolId);

        List<String> lines = lines(ok(alice, "inbox"));
        assertTrue(lineWith(lines, "from bob").contains("] bob -> (chain): from bob"), lines::toString);
        assertTrue(lineWith(lines, "from carol").contains("] " + carolName + " -> "), "no contact name: its ID"
                + " (display name): " + lines);

        List<JsonNode> received = json(ok(alice, "inbox", "--json"));
        JsonNode fromBob = received.stream().filter(m -> m.path("text").asText().equals("from bob")).findFirst()
                .orElseThrow();
        assertEquals(bobId, fromBob.path("peer").asText());
        assertEquals(bobId, fromBob.path("from").asText());
        assertEquals("bob", fromBob.path("contact").asText());
        assertEquals("bob", fromBob.path("peerName").asText());
        assertEquals("in", fromBob.path("direction").asText());
        JsonNode fromCarol = received.stream().filter(m -> m.path("text").asText().equals("from carol")).findFirst()
                .orElseThrow();
        assertEquals(carolId, fromCarol.path("peer").asText());
        assertTrue(fromCarol.path("contact").isNull(), fromCarol::toString);
        assertEquals(carolName, fromCarol.path("peerName").asText());
    }

    @Test
    @Order(3)
    void fromShowsOneConversationByContactNameOrId() {
        List<String> withBob = lines(ok(alice, "inbox", "--from", "bob"));
        assertTrue(withBob.stream().anyMatch(l -> l.endsWith(": from bob")), withBob::toString);
        assertTrue(withBob.stream().anyMatch(l -> l.endsWith(": to bob")), "both directions: " + withBob);
        assertFalse(withBob.stream().anyMatch(l -> l.endsWith(": from carol")), withBob::toString);

        assertEquals(List.of("from carol"), texts(json(ok(alice, "inbox", "--from", carolName, "--json"))));
        assertEquals(List.of("from carol"), texts(json(ok(alice, "inbox", "--from", carolId, "--json"))));

        exits(1, "no contact named 'bbo' (did you mean 'bob'?)", alice, "inbox", "--from", "bbo");
        exits(2, "is not an ID", alice, "inbox", "--from", "0xnot-an-id");
    }

    @Test
    @Order(4)
    void limitKeepsTheLastN() {
        List<String> all = lines(ok(alice, "inbox", "--from", "bob"));
        assertEquals(2, all.size(), all::toString);
        assertEquals(all.subList(1, 2), lines(ok(alice, "inbox", "--from", "bob", "--limit", "1")), "the last one");
        assertEquals(all, lines(ok(alice, "inbox", "--from", "bob", "--limit", "5")), "fewer than N: all");
        assertEquals(List.of("from carol"), texts(json(ok(alice, "inbox", "--json", "--limit", "1"))), "the newest");
        exits(2, "--limit must be a positive number, got 0", alice, "inbox", "--limit", "0");
    }

    @Test
    @Order(5)
    void sinceTakesADurationOrATime() {
        Instant mark = Instant.now();
        ok(bob, "send", "alice", "after the mark");
        List<String> since = lines(ok(alice, "inbox", "--since", mark.toString()));
        assertEquals(1, since.size(), since::toString);
        assertTrue(since.get(0).endsWith(": after the mark"), since::toString);

        List<String> lastHour = lines(ok(alice, "inbox", "--since", "1h"));
        assertTrue(lastHour.stream().anyMatch(l -> l.endsWith(": from bob")), lastHour::toString);
        assertTrue(lines(ok(alice, "inbox", "--since", "2099-01-01")).isEmpty(), "nothing after a future date");
        exits(2, "--since 'yesterday' is neither a duration", alice, "inbox", "--since", "yesterday");
    }

    @Test
    @Order(6)
    void unreadShowsOnlyWhatWasNotShownAndMarksItRead() {
        Cli.Result none = ok(alice, "inbox", "--unread");
        assertTrue(lines(none).isEmpty(), none::toString);
        assertTrue(none.stderr().contains("no unread messages"), none::toString);

        ok(bob, "send", "alice", "fresh one");
        ok(bob, "send", "alice", "fresh two");
        ok(alice, "send", "bob", "mine is never unread");
        assertEquals(List.of("fresh one", "fresh two"), texts(json(ok(alice, "inbox", "--unread", "--json"))));
        assertTrue(json(ok(alice, "inbox", "--unread", "--json")).isEmpty(), "shown once, then read");

        ok(bob, "send", "alice", "fresh three");
        List<String> text = lines(ok(alice, "inbox", "--unread", "--from", "bob"));
        assertEquals(1, text.size(), text::toString);
        assertTrue(text.get(0).endsWith("bob -> (chain): fresh three"), text::toString);
        assertTrue(lines(ok(alice, "inbox", "--unread")).isEmpty());
    }
}
