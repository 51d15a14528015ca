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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * `chat` on a real pseudo-terminal (util-linux `script`), as separate processes against a real
 * node: Alice chats with her contact Bob while Bob uses the command line. Typed lines arrive; a
 * message that comes while a line is half typed is printed above it and the half line survives;
 * arrow keys and the editing keys edit and recall instead of typing escape codes; the last messages show on entry;
 * Ctrl-D, Ctrl-C on an empty line and /quit end it with exit code 0.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatScreenIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WAIT = 90;

    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;
    private static Pty chat;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        CliNetwork.connect(alice, "alice", aliceId, bob, "bob", bobId);
        ok(alice, "send", "bob", "before the chat");
        ok(bob, "send", "alice", "an earlier answer");
    }

    @AfterAll
    static void tearDown() {
        if (chat != null) {
            chat.close();
        }
        node.close();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    /** The texts Bob has received, reading his mailbox (which also acknowledges them). */
    private static List<String> bobReceived() {
        List<String> texts = new ArrayList<>();
        for (String line : ok(bob, "inbox", "--json").stdout().strip().lines().toList()) {
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

    /** Reads Bob's mailbox until he has {@code count} messages with this exact text. */
    private static void awaitBobReceives(String text, long count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        List<String> texts = List.of();
        while (System.nanoTime() < deadline) {
            texts = bobReceived();
            if (texts.stream().filter(text::equals).count() >= count) {
                assertEquals(count, texts.stream().filter(text::equals).count(), texts::toString);
                return;
            }
        }
        throw new AssertionError("Bob did not receive '" + text + "' " + count + " time(s): " + texts);
    }

    private static long occurrences(String text, String part) {
        long n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    @Order(1)
    void theScreenOpensWithAPromptNamingThePeerAndTheLastMessages() {
        chat = Pty.start(network.env("alice"), "chat", "bob");
        String screen = chat.await("bob> ", WAIT);
        assertTrue(screen.contains("the last 2 message(s) with bob"), screen);
        int sent = screen.indexOf("-> bob (chain) ");
        int answer = screen.indexOf("bob -> (chain): an earlier answer");
        assertTrue(sent >= 0 && screen.substring(sent).startsWith("-> bob (chain) ✓"), screen);
        assertTrue(screen.indexOf(": before the chat") > sent && answer > sent, "oldest first: " + screen);
    }

    @Test
    @Order(2)
    void aTypedLineIsSentMarkedAndArrives() {
        chat.type("hello from the screen\r");
        chat.await("-> bob (chain) ✓: hello from the screen", WAIT);
        awaitBobReceives("hello from the screen", 1);
        // Bob's reading acknowledged it: the chat says so on a line of its own.
        chat.await("✓✓ bob received: \"hello from the screen\"", WAIT);
    }

    @Test
    @Order(3)
    void anIncomingMessageAppearsAboveAHalfTypedLineWhichStaysWhole() {
        chat.type("half a li");
        chat.await("bob> half a li", WAIT);
        ok(bob, "send", "alice", "arrives while you type");
        String screen = chat.await("bob -> (chain): arrives while you type", WAIT);
        screen = chat.awaitText(t -> t.lastIndexOf("bob> half a li") > t.indexOf("arrives while you type"),
                "the half line redrawn under the message", WAIT);
        chat.type("ne\r");
        chat.await("✓: half a line", WAIT);
        awaitBobReceives("half a line", 1);
        assertFalse(bobReceived().contains("half a li"), "never sent in pieces");
        assertFalse(bobReceived().contains("ne"), "never sent in pieces");
    }

    @Test
    @Order(4)
    void arrowKeysEditAndRecallInsteadOfTypingEscapeCodes() {
        chat.type("wrld");
        chat.await("bob> wrld", WAIT);
        chat.type("\u001b[D\u001b[D\u001b[D"); // Left x3 (CSI, as most terminals send it): the cursor after 'w'
        chat.type("o");
        chat.type("\u001bOF"); // End (SS3, as in keypad mode)
        chat.type("!");
        chat.type("\u001b[H"); // Home
        chat.type("hello ");
        chat.type("\u0005"); // Ctrl-E: end of line
        chat.type(" bye junk");
        chat.type("\u0017"); // Ctrl-W deletes the word before the cursor
        chat.type("now\r");
        chat.await("✓: hello world! bye now", WAIT);
        chat.type("\u001b[A"); // Up recalls the line just sent
        chat.await("bob> hello world! bye now", WAIT);
        chat.type("\r");
        chat.awaitText(t -> occurrences(t, "✓: hello world! bye now") >= 2, "the recalled line sent again", WAIT);
        awaitBobReceives("hello world! bye now", 2);
        String screen = chat.text();
        assertFalse(screen.contains("[D") || screen.contains("[A") || screen.contains("OF"), screen);
    }

    @Test
    @Order(5)
    void helpListsTheCommandsAndCtrlDEndsTheChatWithExitCode0() {
        chat.type("/help\r");
        chat.await("/quit  leave the chat", WAIT);
        chat.awaitText(t -> t.lastIndexOf("bob> ") > t.indexOf("/quit  leave the chat"), "the prompt again", WAIT);
        chat.type("\u0004");
        assertEquals(0, chat.awaitExit(WAIT), chat::text);
        chat = null;
        // The messages the screen showed count as read.
        Cli.Result unread = ok(alice, "inbox", "--unread");
        assertFalse(unread.stdout().contains("arrives while you type"), unread::toString);
        assertTrue(unread.stderr().contains("no unread messages"), unread::toString);
    }

    @Test
    @Order(6)
    void ctrlCOnAnEmptyLineQuitsAndOnATypedLineClearsIt() {
        try (Pty again = Pty.start(network.env("alice"), "chat", "bob", "--last", "0")) {
            again.await("bob> ", WAIT);
            assertFalse(again.text().contains("message(s) with bob"), "--last 0 shows no history");
            again.type("never sent");
            again.await("bob> never sent", WAIT);
            again.type("\u0003"); // Ctrl-C clears the line
            again.awaitText(t -> t.lastIndexOf("bob> ") > t.lastIndexOf("never sent"), "a fresh prompt", WAIT);
            assertTrue(again.isAlive());
            again.type("\u0003"); // on the empty line: quits
            assertEquals(0, again.awaitExit(WAIT), again::text);
        }
        assertFalse(bobReceived().contains("never sent"));
    }

    @Test
    @Order(7)
    void slashQuitEndsTheChatAndAnUnknownCommandIsNotSent() {
        try (Pty again = Pty.start(network.env("alice"), "chat", "bob")) {
            again.await("bob> ", WAIT);
            again.type("not this");
            again.await("bob> not this", WAIT);
            again.type("\u0015"); // Ctrl-U clears the line: what follows is a command, not "not this/bogus"
            again.type("/bogus\r");
            again.await("unknown command /bogus; /help lists them", WAIT);
            again.type("/quit\r");
            assertEquals(0, again.awaitExit(WAIT), again::text);
        }
        List<String> received = bobReceived();
        assertFalse(received.contains("/bogus") || received.stream().anyMatch(t -> t.contains("not this")),
                received::toString);
    }
}
