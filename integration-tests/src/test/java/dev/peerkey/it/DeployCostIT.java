package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.chain.NodeKind;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `deploy` on a chain that is not a local development chain (an Anvil node with chain id
 * 11155111, whose accounts are not offered as the node's own): the gas and its cost are printed
 * first; without a terminal and without --yes it refuses and sends nothing; with --yes it deploys,
 * and the printed estimate covers what was used.
 */
class DeployCostIT {
    @TempDir
    static Path dir;

    private static TestChain node;
    private static Cli cli;
    private static String address;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start(NodeKind.ANVIL, List.of("--chain-id", "11155111", "--accounts", "0"));
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse battery\n");
        cli = new Cli(Map.of("PEERKEY_HOME", dir.resolve("owner").toString(), "PEERKEY_PASSWORD_FILE",
                password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(), "PEERKEY_RPC",
                node.rpcUrl()));
        Cli.Result made = cli.run("id", "new", "--fast-kdf", "--no-recovery", "--json");
        assertEquals(0, made.exitCode(), made::toString);
        address = made.json().path("address").asText();
        node.setBalance(address, BigInteger.TEN.pow(18));
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    @Test
    void withoutATerminalOrYesItPrintsTheCostAndRefusesThenYesDeploys() {
        long nonce = node.pendingNonce(address);
        Cli.Result refused = cli.run("deploy");
        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("error: chain 11155111 is not a local development chain and deploying"
                + " there costs about "), refused::toString);
        assertTrue(refused.stderr().contains("ETH: pass --yes to deploy (no terminal to ask on)"), refused::toString);
        Matcher estimate = Pattern.compile("deploying costs about (\\d+) gas \\(registry (\\d+), messenger (\\d+)\\):"
                + " about [0-9.]+ ETH at the current gas price of [0-9.]+ gwei, paid by " + Pattern.quote(address))
                .matcher(refused.stderr());
        assertTrue(estimate.find(), refused::toString);
        assertEquals(nonce, node.pendingNonce(address), "nothing was sent");

        Cli.Result deployed = cli.run("deploy", "--yes", "--json");
        assertEquals(0, deployed.exitCode(), deployed::toString);
        JsonNode result = deployed.json();
        long used = result.path("gasUsed").asLong() + result.path("messengerGasUsed").asLong();
        long estimated = Long.parseLong(estimate.group(1));
        assertTrue(used <= estimated, used + " used, " + estimated + " estimated");
        assertTrue(deployed.stderr().contains("deploying costs about "), deployed::toString);
        assertFalse(deployed.stderr().contains("error:"), deployed::toString);

        // A text that needs a 16 KiB mailbox post, on this chain, without a terminal or --yes: priced, refused.
        Map<String, String> env = new java.util.HashMap<>(Map.of("PEERKEY_HOME", dir.resolve("peer").toString(),
                "PEERKEY_PASSWORD_FILE", dir.resolve("password").toString(), "PEERKEY_CHAIN_DIR",
                dir.resolve("chain").toString(), "PEERKEY_RPC", node.rpcUrl(),
                "PEERKEY_REGISTRY", result.path("registry").asText(), "PEERKEY_MESSENGER",
                result.path("messenger").asText()));
        Cli peer = new Cli(env);
        JsonNode peerId = peer.run("id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        node.setBalance(peerId.path("address").asText(), BigInteger.TEN.pow(18));
        assertEquals(0, peer.run("register").exitCode());
        assertEquals(0, cli.run("register").exitCode());
        long before = node.pendingNonce(address);
        Cli.Result big = cli.run("send", peerId.path("id").asText(), "x".repeat(5000), "--timeout", "1");
        assertEquals(1, big.exitCode(), big::toString);
        assertTrue(big.stderr().contains("this message needs a 16384-byte mailbox post if it goes through the"
                + " mailbox: about "), big::toString);
        assertTrue(big.stderr().contains("error: chain 11155111 is not a local development chain and sending it"
                + " costs about "), big::toString);
        assertTrue(big.stderr().contains("pass --yes to go ahead (no terminal to ask on)"), big::toString);
        assertEquals(before, node.pendingNonce(address), "nothing was sent");
    }
}
