package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a node behind a proxy that behaves like a public RPC provider (issue 10, items
 * 4 and 5): HTTP errors (429 with Retry-After, 503, a 502 HTML page) are one error line for a
 * command and are waited out by a listener, and eth_getLogs capped at 1,000 blocks still serves
 * lookups by name and address, the inbox, and a follower whose gap is far wider than the cap.
 * The profiles did not deploy: they are given the contracts' addresses only, so they learn the
 * deployment block from the registry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpcProviderIT {
    private static final long CAP = 1_000;

    @TempDir
    static Path dir;

    private static TestChain node;
    private static ProviderProxy proxy;
    private static Map<String, String> env;
    private static Cli alice;
    private static Cli bob;
    private static JsonNode aliceIdentity;
    private static JsonNode bobIdentity;
    private static long deployBlock;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        proxy = ProviderProxy.start(node.rpcUrl());
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", proxy.url(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        mine(3_000); // the registry is not deployed near block 0: a scan from 0 would cost pages
        JsonNode deployed = ok(profile("deployer"), "deploy", "--json").json();
        deployBlock = deployed.path("block").asLong();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        alice = profile("alice");
        bob = profile("bob");
        aliceIdentity = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        ok(alice, "register");
        mine(2_500); // registrations far apart: more than one capped page between them
        bobIdentity = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        ok(bob, "register");
    }

    @AfterAll
    static void tearDown() {
        proxy.close();
        node.close();
    }

    /** Mines empty blocks at once (Anvil answers hardhat_mine too; Ganache mines a count with evm_mine). */
    private static void mine(long blocks) {
        if (node.kind() == dev.peerkey.chain.NodeKind.GANACHE) {
            node.rpc("evm_mine", Map.of("blocks", blocks));
        } else {
            node.rpc("hardhat_mine", "0x" + Long.toHexString(blocks), "0x0");
        }
    }

    private static Cli profile(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static void assertOneErrorLine(Cli.Result result, String... expected) {
        assertEquals(1, result.exitCode(), result::toString);
        List<String> lines = result.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), result::toString);
        assertTrue(lines.get(0).startsWith("error: chain node at " + proxy.url() + " answered HTTP "), result::toString);
        for (String text : expected) {
            assertTrue(lines.get(0).contains(text), result::toString);
        }
        assertFalse(result.stderr().contains("Exception") || result.stderr().contains("<html"), result::toString);
    }

    @Test
    @Order(1)
    void httpErrorsAreOneErrorLineNamingTheNodeAndStatus() {
        String bobId = bobIdentity.path("id").asText();
        proxy.fail(ProviderProxy.Failure.tooManyRequests("7"));
        assertOneErrorLine(alice.run("lookup", bobId), "HTTP 429", "retry after 7 s", "limits requests");
        proxy.fail(ProviderProxy.Failure.unavailable());
        assertOneErrorLine(alice.run("lookup", bobId), "HTTP 503");
        proxy.fail(ProviderProxy.Failure.badGatewayPage());
        assertOneErrorLine(alice.run("lookup", bobId), "HTTP 502");
        // Failing after the connection: a contract call (eth_call through web3j's wrapper) and a send.
        for (long passed : new long[] {1, 2, 3}) {
            proxy.failAfter(passed, ProviderProxy.Failure.badGatewayPage());
            assertOneErrorLine(alice.run("lookup", bobId), "HTTP 502");
        }
        proxy.failAfter(3, ProviderProxy.Failure.tooManyRequests("Wed, 21 Oct 2015 07:28:00 GMT"));
        assertOneErrorLine(alice.run("send", bobId, "hello", "--via", "chain"), "HTTP 429");
        proxy.heal();
        assertEquals(bobId, ok(alice, "lookup", bobId, "--json").json().path("id").asText());
    }

    @Test
    @Order(2)
    void lookupsByNameAndAddressWorkUnderARangeCapAndStartAtTheDeployment() {
        proxy.capLogs(CAP);
        proxy.resetCounts();
        for (JsonNode wanted : List.of(aliceIdentity, bobIdentity)) {
            for (String field : List.of("name", "address")) {
                JsonNode found = ok(profile("carol"), "lookup", wanted.path(field).asText(), "--json").json();
                assertEquals(wanted.path("id").asText(), found.path("id").asText(), field);
            }
        }
        assertTrue(proxy.refusedLogQueries() > 0, "the cap was hit and the page shrank");
        assertTrue(proxy.widestAnswered() <= CAP, () -> "widest range " + proxy.widestAnswered());
        assertTrue(proxy.lowestFrom() >= deployBlock, () -> "a scan started at " + proxy.lowestFrom()
                + ", before the deployment block " + deployBlock);
    }

    @Test
    @Order(3)
    void inboxWorksUnderTheCapAndAFollowerCatchesUpAfterAGapWiderThanTheCap() {
        String aliceId = aliceIdentity.path("id").asText();
        String bobId = bobIdentity.path("id").asText();
        Cli.Result pending = alice.run("auth", bobId, "--timeout", "1s");
        assertEquals(1, pending.exitCode(), pending::toString); // Bob answers only when he next reads
        ok(bob, "accept", aliceId);
        ok(alice, "inbox");
        ok(bob, "inbox");
        ok(alice, "send", bobId, "before the gap", "--via", "chain");
        assertTrue(ok(bob, "inbox").stdout().contains("before the gap"));
        mine(5 * CAP); // Bob's cursor now lies five capped pages behind the head
        ok(alice, "send", bobId, "after the gap", "--via", "chain");
        mine(2 * CAP);
        proxy.resetCounts();
        Cli.Result inbox = ok(bob, "inbox");
        assertTrue(inbox.stdout().contains("after the gap"), inbox::toString);
        assertTrue(proxy.widestAnswered() <= CAP, () -> "widest range " + proxy.widestAnswered());
        ok(bob, "send", aliceId, "and back", "--via", "chain");
        assertTrue(ok(alice, "inbox").stdout().contains("and back"));
    }

    @Test
    @Order(4)
    void listenWaitsOutAFailingNodeSaysSoOnceAndRecovers() {
        String bobId = bobIdentity.path("id").asText();
        try (Cli.Background listen = alice.start("listen", "--port", "0")) {
            listen.awaitStdout("listening", 120);
            proxy.fail(ProviderProxy.Failure.unavailable());
            String failing = listen.awaitStderr("retrying with backoff", 120);
            assertTrue(failing.contains("warning: chain node at " + proxy.url() + " answered HTTP 503"), failing);
            while (proxy.failed() < 3) { // it keeps trying, backing off
                assertTrue(listen.isAlive(), listen::stderr);
                pause();
            }
            proxy.fail(ProviderProxy.Failure.tooManyRequests("1"));
            long failedBefore = proxy.failed();
            while (proxy.failed() < failedBefore + 2) {
                assertTrue(listen.isAlive(), listen::stderr);
                pause();
            }
            proxy.heal();
            String recovered = listen.awaitStderr("the chain node answers again", 180);
            assertEquals(1, count(recovered, "retrying with backoff"), recovered);
            ok(bob, "send", aliceIdentity.path("id").asText(), "after the outage", "--via", "chain");
            listen.awaitStdout("after the outage", 120);
            assertTrue(listen.isAlive());
        } finally {
            proxy.heal();
        }
        assertFalse(bobId.isEmpty());
    }

    @Test
    @Order(5)
    void deploymentsAreFoundUnderEverySpellingAndDeployIdPaysOnADevChain() {
        proxy.capLogs(Long.MAX_VALUE);
        String port = proxy.url().replaceAll(".*:(\\d+)/?$", "$1");
        Map<String, String> own = new HashMap<>(env);
        own.remove("PEERKEY_REGISTRY");
        own.remove("PEERKEY_MESSENGER");
        own.put("PEERKEY_HOME", dir.resolve("dave").toString());
        own.put("PEERKEY_RPC", "http://127.0.0.1:" + port + "/");
        Cli dave = new Cli(own);
        JsonNode daveIdentity = ok(dave, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        JsonNode deployed = ok(dave, "deploy", "--id", daveIdentity.path("id").asText(), "--json").json();
        var tx = node.chain().send(node.chain().web3j().ethGetTransactionByHash(deployed.path("txHash").asText()))
                .getTransaction().orElseThrow();
        assertTrue(tx.getFrom().equalsIgnoreCase(daveIdentity.path("address").asText()), tx::getFrom);
        ok(dave, "register"); // only in the new registry: found below only through the record the deploy made
        for (String rpc : List.of("http://127.0.0.1:" + port, "http://localhost:" + port,
                "http://127.0.0.1:" + port + "/")) {
            Cli.Result found = ok(dave, "lookup", daveIdentity.path("name").asText(), "--rpc", rpc, "--json");
            assertEquals(daveIdentity.path("id").asText(), found.json().path("id").asText(), rpc);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
