package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.identity.PeerId;
import dev.peerkey.it.Cli;
import dev.peerkey.it.CliNetwork;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contacts by name and safety numbers, with the CLI as separate processes on a real node: a name
 * works wherever a peer is taken, a typo gets a suggestion from the contacts, naming a peer makes
 * its requests answered, both sides see the same safety number, and a verified contact's rotation
 * lifts the mark and is said before anything is sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContactsIT {
    @TempDir
    static Path dir;

    private static TestChain node;
    private static CliNetwork network;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;
    private static String carolId;
    private static Cli.Background bobListen;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        carolId = CliNetwork.newIdentity(network.profile("carol"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        bobListen = bob.start("listen", "--port", String.valueOf(port), "--advertise", "127.0.0.1:" + port, "--json");
        bobListen.awaitStdout("\"advertised\"", 60);
    }

    @AfterAll
    static void tearDown() {
        if (bobListen != null) {
            bobListen.close();
        }
        node.close();
    }

    private static String displayName(String id) {
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

    private static JsonNode contact(Cli cli, String name) {
        for (JsonNode c : ok(cli, "contact", "list", "--json").json().path("contacts")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no contact " + name);
    }

    @Test
    @Order(1)
    void aNamedContactIsAnsweredAndReachableByName() {
        JsonNode added = ok(alice, "contact", "add", "bob", displayName(bobId), "--json").json();
        assertEquals(bobId, added.path("peer").asText());
        // Bob names Alice: her handshake is answered at once, with no `accept`.
        ok(bob, "contact", "add", "alice", aliceId);
        assertEquals(bobId, ok(alice, "lookup", "bob", "--json").json().path("id").asText());
        assertEquals("established", ok(alice, "auth", "bob", "--json").json().path("status").asText());
        ok(alice, "send", "bob", "hello by name");
        bobListen.awaitStdout("hello by name", 60);

        Cli.Result inbox = ok(bob, "inbox");
        String line = inbox.stdout().lines().filter(l -> l.contains("hello by name")).findFirst().orElseThrow();
        assertTrue(line.contains("] alice -> ("), "Bob's line names his contact: " + line);
        JsonNode json = ok(bob, "inbox", "--json").json();
        assertEquals("alice", json.path("peerName").asText(), json::toString);
        assertEquals(aliceId, json.path("from").asText());

        JsonNode listed = contact(alice, "bob");
        assertEquals(displayName(bobId), listed.path("displayName").asText());
        assertEquals("not verified", listed.path("verification").asText());
    }

    @Test
    @Order(2)
    void aTypoGetsASuggestionFromTheContactsAndANameCannotBeTakenTwice() {
        fails(alice, "no contact named 'bbo' (did you mean 'bob'?)", "send", "bbo", "hi");
        fails(alice, "no contact named 'carol'; see `peerkey contact list`", "send", "carol", "hi");
        fails(alice, "the name 'bob' is taken by " + displayName(bobId), "contact", "add", "bob", carolId);
        Cli.Result badName = alice.run("contact", "add", "0xbob", bobId);
        assertEquals(2, badName.exitCode(), badName::toString);
        assertTrue(badName.stderr().contains("cannot be a contact name"), badName::toString);
    }

    @Test
    @Order(3)
    void bothSidesSeeTheSameSafetyNumberAndTheMarkLapsesWhenTheKeyChanges() {
        JsonNode alices = ok(alice, "verify", "bob", "--json").json();
        JsonNode bobs = ok(bob, "verify", "alice", "--json").json();
        assertEquals(alices.path("safetyNumber").asText(), bobs.path("safetyNumber").asText());
        assertTrue(alices.path("safetyNumber").asText().matches("(\\d{5} ){11}\\d{5}"), alices::toString);
        assertFalse(alices.path("verified").asBoolean());
        String shown = ok(alice, "verify", "bob").stdout();
        assertTrue(shown.contains(alices.path("safetyNumber").asText().substring(0, 23)), shown);
        assertTrue(shown.contains("\u2588"), "a QR code is drawn: " + shown);

        assertTrue(ok(alice, "verify", "bob", "--mark", "--json").json().path("verified").asBoolean());
        assertEquals("verified", contact(alice, "bob").path("verification").asText());

        ok(bob, "rotate");
        assertEquals("key changed since verified", contact(alice, "bob").path("verification").asText());
        Cli.Result send = alice.run("send", "bob", "are you still you?");
        assertTrue(send.stderr().contains("warning: bob's key changed since you verified it (now key #1): compare"
                + " safety numbers again with `peerkey verify bob`"), send::toString);
        JsonNode after = ok(alice, "verify", "bob", "--json").json();
        assertNotEquals(alices.path("safetyNumber").asText(), after.path("safetyNumber").asText());
        assertEquals(1, after.path("peerKeyIndex").asInt());
        assertFalse(after.path("verified").asBoolean());
    }

    @Test
    @Order(4)
    void onlyANamedContactCanBeMarkedAndARemovedNameNoLongerResolves() {
        fails(alice, "is not a named contact: name it first with `peerkey contact add NAME", "verify", carolId,
                "--mark");
        ok(alice, "contact", "rm", "bob");
        fails(alice, "no contact named 'bob'", "lookup", "bob");
        fails(alice, "has no contact name", "contact", "rm", bobId);
    }
}
