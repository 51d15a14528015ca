package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.Pty;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line typed in `chat` that needs a 16 KiB mailbox post (over about 4 KiB) is priced before it
 * goes, as `send` prices it, each chat a separate process against a real node: piped (no
 * terminal) it is refused with one error line and the chat goes on, unless chat runs with --yes;
 * on the screen (a real pseudo-terminal) it asks y/N, and "no" sends nothing and keeps the chat;
 * with --yes the screen shows the cost and sends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatCostIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WAIT = 90;
    private static final Pattern PRICED = Pattern.compile("this message needs a 16384-byte mailbox post if it goes"
            + " through the mailbox: about \\d+ gas, [0-9.]+ ETH at the current gas price of [0-9.]+ gwei");

    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static Cli alice;
    private static Cli bob;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        String aliceId = CliNetwork.newIdentity(alice);
        String bobId = CliNetwork.newIdentity(bob);
        CliNetwork.connect(alice, "alice", aliceId, bob, "bob", bobId);
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    /** The texts Bob has received so far (reading his mailbox). */
    private static List<String> bobReceived() {
        List<String> texts = new ArrayList<>();
        for (String line : CliNetwork.ok(bob, "inbox", "--json").stdout().strip().lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    texts.add(JSON.readTree(line).path("text").asText());
                } catch (IOException e) {
                    throw new AssertionError(line, e);
                }
            }
        }
        return texts;
    }

    private static Cli.Result chatPiped(String name, List<String> lines, String... options) throws IOException {
        Path input = dir.resolve(name);
        Files.write(input, lines);
        List<String> args = new ArrayList<>(List.of("chat", "bob", "--ack-timeout", "200ms"));
        args.addAll(List.of(options));
        return alice.runWithInput(input, args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void pipedWithoutYesTheLineIsRefusedWithOneErrorLineAndTheChatGoesOn() throws IOException {
        String big = "a".repeat(5000);
        Cli.Result chat = chatPiped("refused.txt", List.of("small before", big, "small after"));
        assertEquals(0, chat.exitCode(), chat::toString);
        List<String> errors = chat.stderr().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), chat::toString);
        String error = errors.get(0);
        assertTrue(PRICED.matcher(error).find(), error);
        assertTrue(error.endsWith("; not sent: \"" + "a".repeat(39) + "…\" (no terminal to ask on: start chat"
                + " with --yes to send such lines)"), error);
        assertFalse(chat.stderr().lines().anyMatch(l -> l.startsWith("this message needs")), "priced once, in the error");
        List<String> received = bobReceived();
        assertTrue(received.containsAll(List.of("small before", "small after")), received::toString);
        assertFalse(received.contains(big), "the refused line was not sent");
        assertTrue(CliNetwork.ok(alice, "outbox", "--json").stdout().lines().noneMatch(l -> l.contains(big)),
                "nor queued");
    }

    @Test
    @Order(2)
    void pipedWithYesTheCostIsPrintedAndTheLineSent() throws IOException {
        String big = "b".repeat(5000);
        Cli.Result chat = chatPiped("yes.txt", List.of(big), "--yes");
        assertEquals(0, chat.exitCode(), chat::toString);
        assertTrue(chat.stderr().lines().anyMatch(l -> PRICED.matcher(l).matches()), chat::toString);
        assertFalse(chat.stderr().contains("error:"), chat::toString);
        assertTrue(bobReceived().contains(big));
    }

    @Test
    @Order(3)
    void onTheScreenItAsksAndNoSendsNothingWhileYesSends() {
        String refused = "c".repeat(4300);
        String accepted = "d".repeat(4300);
        try (Pty chat = Pty.start(network.env("alice"), "chat", "bob", "--last", "0")) {
            chat.await("bob> ", WAIT);
            chat.type(refused + "\r");
            String screen = chat.await("Send it? [y/N] ", WAIT);
            assertTrue(PRICED.matcher(screen).find(), screen);
            chat.type("n\r");
            chat.await("not sent: \"" + "c".repeat(39) + "…\"", WAIT);
            chat.type("still chatting\r");
            chat.await("-> bob (chain) ✓: still chatting", WAIT);

            chat.type(accepted + "\r");
            chat.awaitText(t -> t.split(Pattern.quote("Send it? [y/N] "), -1).length == 3, "a second question",
                    WAIT);
            chat.type("y\r");
            chat.await("✓: " + "d".repeat(20), WAIT);
            chat.type("\u0004");
            assertEquals(0, chat.awaitExit(WAIT), chat.text());
        }
        List<String> received = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (!received.contains(accepted) && System.nanoTime() < deadline) {
            received = bobReceived();
        }
        assertTrue(received.containsAll(List.of("still chatting", accepted)), received::toString);
        assertFalse(received.contains(refused), "the line answered no was not sent");
    }

    @Test
    @Order(4)
    void onTheScreenWithYesTheCostIsShownAndTheLineSentWithoutAQuestion() {
        String line = "e".repeat(4300);
        try (Pty chat = Pty.start(network.env("alice"), "chat", "bob", "--last", "0", "--yes")) {
            chat.await("bob> ", WAIT);
            chat.type(line + "\r");
            String screen = chat.await("✓: " + "e".repeat(20), WAIT);
            assertTrue(PRICED.matcher(screen).find(), screen);
            assertFalse(screen.contains("Send it?"), screen);
            chat.type("\u0004");
            assertEquals(0, chat.awaitExit(WAIT), chat.text());
        }
        List<String> received = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (!received.contains(line) && System.nanoTime() < deadline) {
            received = bobReceived();
        }
        assertTrue(received.contains(line), received::toString);
    }
}
