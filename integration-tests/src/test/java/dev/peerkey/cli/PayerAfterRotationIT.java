package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * Issue 10, item 8: who pays after a rotation. An identity pays for its own transactions from its
 * current key's account; after `rotate` that is a new account. On a real chain nothing funds it,
 * so the old key's ether must move with the key: then Alice's `listen` still answers her contact
 * Bob's new handshake (acceptAuth, paid by the new key's account) and Bob's `auth` completes. The
 * CLIs reach a real Hardhat node through a proxy that hides eth_accounts, so the chain is not a
 * development chain to them and nothing tops any account up. An account that cannot pay is named
 * with the amount it needs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayerAfterRotationIT {
    @TempDir
    static Path dir;

    private static TestChain node;
    private static TamperingProxy realChain;
    private static Map<String, String> env;
    private static String aliceId;
    private static String bobId;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(cli("deployer", false), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        // On the development chain (funded as they go): identities, mailbox accounts, and a first session.
        aliceId = newIdentity(cli("alice", false));
        bobId = newIdentity(cli("bob", false));
        ok(cli("alice", false), "mailbox-account");
        ok(cli("bob", false), "mailbox-account");
        JsonNode sent = ok(cli("bob", false), "send", aliceId, "hi Alice", "--timeout", "1s", "--json").json();
        assertTrue(sent.path("pending").asBoolean(), sent::toString);
        ok(cli("alice", false), "accept", bobId);
        realChain = TamperingProxy.start(node.rpcUrl());
        realChain.tamper((method, answer) -> method.equals("eth_accounts")
                ? answer.replaceFirst("\"result\"\\s*:\\s*\\[[^]]*]", "\"result\":[]") : answer);
    }

    @AfterAll
    static void tearDown() {
        if (realChain != null) {
            realChain.close();
        }
        node.close();
    }

    /** A profile's CLI, on the development chain or through the proxy that makes it look real. */
    private static Cli cli(String profile, boolean real) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(profile).toString());
        if (real) {
            own.put("PEERKEY_RPC", realChain.url());
        }
        return new Cli(own);
    }

    private static String newIdentity(Cli cli) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register");
        return id;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static BigInteger balance(String address) {
        return node.chain().balance(address);
    }

    private static BigInteger nonce(String address) {
        return node.chain().send(node.chain().web3j().ethGetTransactionCount(address,
                DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    private static String account(String profile) {
        String publicKey = ok(cli(profile, true), "id", "show", "--json").json().path("publicKey").asText();
        return "0x" + Keys.getAddress(Numeric.cleanHexPrefix(publicKey));
    }

    @Test
    @Order(1)
    void afterARotationListenStillAnswersAndThePeersAuthCompletes() {
        Cli alice = cli("alice", true);
        String oldAccount = account("alice");
        BigInteger held = balance(oldAccount);
        assertTrue(held.signum() > 0, "the registration's funding");

        JsonNode rotated = ok(alice, "rotate", "--json").json();
        String newAccount = rotated.path("payer").asText();
        assertEquals(newAccount.toLowerCase(), account("alice"), rotated::toString);
        BigInteger moved = new BigInteger(rotated.path("fundsMovedWei").asText());
        assertTrue(moved.signum() > 0, rotated::toString);
        assertEquals(moved, balance(newAccount), "the new key's account holds what the old one held");
        assertTrue(balance(oldAccount).compareTo(held.subtract(moved)) <= 0);

        try (Cli.Background listen = alice.start("listen", "--port", "0", "--json")) {
            listen.awaitStdout("\"advertised\"", 60);
            JsonNode auth = ok(cli("bob", true), "auth", aliceId, "--json").json();
            assertEquals("established", auth.path("status").asText(), auth::toString);
        }
        assertTrue(nonce(newAccount).signum() > 0, "the new key's account paid Alice's answer");
        assertTrue(balance(newAccount).compareTo(moved) < 0);
    }

    @Test
    @Order(2)
    void anAccountThatCannotPayIsNamedWithTheAmountItNeeds() {
        String current = account("alice");
        node.rpc("hardhat_setBalance", current, "0x0");
        Cli.Result result = cli("alice", true).run("rotate");
        assertEquals(1, result.exitCode(), result::toString);
        String error = result.stderr();
        assertTrue(error.toLowerCase().contains("error: account " + current + " cannot pay for this transaction: it"
                + " holds 0 eth and needs up to "), result::toString);
        assertTrue(error.toLowerCase().contains("send ether to " + current), result::toString);
    }
}
