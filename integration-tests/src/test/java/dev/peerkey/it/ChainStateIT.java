package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.chain.NodeKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * `chain stop` / `chain start` keep the local chain (Hardhat, Anvil, Ganache) unless `--fresh`:
 * registrations, the deployment and a session's handshake survive, and the session carries
 * messages after the restart; a saved Hardhat chain that cannot be replayed as it was is refused
 * with what to do; `deploy` on a chain with a recorded deployment refuses
 * without `--new` and names the profiles whose record it would replace. Every step is a separate
 * CLI process driving a node that `chain start` runs.
 */
class ChainStateIT {
    @TempDir
    Path dir;

    private Cli alice;
    private Cli bob;

    private void profiles(String chain) throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse battery\n");
        Map<String, String> shared = Map.of("PEERKEY_CHAIN_DIR", dir.resolve(chain).toString(),
                "PEERKEY_PASSWORD_FILE", password.toString());
        alice = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("alice").toString()));
        bob = new Cli(with(shared, "PEERKEY_HOME", dir.resolve("bob").toString()));
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        var map = new java.util.HashMap<>(base);
        map.put(key, value);
        return map;
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        assertEquals(1, result.stderr().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        return result;
    }

    @ParameterizedTest
    @EnumSource(value = NodeKind.class, names = {"HARDHAT", "ANVIL", "GANACHE"})
    void theChainIsKeptAcrossStopAndStartUnlessFresh(NodeKind kind) throws IOException {
        profiles("chain-" + kind.option());
        try {
            JsonNode started = ok(alice, "chain", "start", "--node", kind.option(), "--json").json();
            assertFalse(started.path("resumed").asBoolean());
            JsonNode deployed = ok(alice, "deploy", "--json").json();
            JsonNode made = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
            ok(alice, "register");
            String bobId = CliNetwork.newIdentity(bob);
            // A session: a handshake on the chain, and a message on it.
            CliNetwork.connect(alice, "alice", made.path("id").asText(), bob, "bob", bobId);
            ok(alice, "send", bobId, "before the stop");
            assertTrue(ok(bob, "inbox", "--json").stdout().contains("before the stop"));
            JsonNode sessions = ok(bob, "sessions", "--json").json().path("sessions");
            assertEquals(1, sessions.size(), sessions::toString);
            assertEquals("established", sessions.get(0).path("status").asText(), sessions::toString);
            Cli.Background listen = alice.start("listen", "--port", "0");
            JsonNode resumed;
            long head;
            try {
                listen.awaitStdout("listening", 120);
                listen.awaitStderr("sent our endpoint to 1 peer(s)", 120); // in a mailbox post to Bob
                head = ok(alice, "chain", "status", "--json").json().path("block").asLong();
                Cli.Result stopped = ok(alice, "chain", "stop", "--json");
                assertTrue(stopped.json().path("stateKept").asBoolean(), stopped::toString);
                assertTrue(stopped.stderr().contains("is saved in " + dir.resolve("chain-" + kind.option()))
                        && stopped.stderr().contains("`peerkey chain start --node " + kind.option() + "` resumes it,"
                                + " `--fresh` discards it"), stopped::toString);
                String lost = listen.awaitStderr("retrying with backoff", 120);
                assertTrue(lost.contains("resumed with `peerkey chain start` is found again"), lost);

                resumed = ok(bob, "chain", "start", "--node", kind.option(), "--json").json();
                assertEquals(started.path("rpc"), resumed.path("rpc"), "the same port again");
                String back = listen.awaitStderr("the chain node answers again", 180);
                assertEquals(1, back.split("retrying with backoff", -1).length - 1, back);
                assertTrue(listen.isAlive(), listen::stderr);
            } finally {
                listen.close();
            }
            assertTrue(resumed.path("resumed").asBoolean(), resumed::toString);
            assertEquals(head, resumed.path("block").asLong(), "every block is back");
            assertEquals(deployed.path("registry"), resumed.path("registry"));
            JsonNode found = ok(bob, "lookup", made.path("id").asText(), "--json").json();
            assertEquals(made.path("publicKey"), found.path("publicKey"), "the registration survived");
            // The session made before the stop carries messages both ways after the start.
            ok(bob, "send", made.path("id").asText(), "after the restart", "--via", "chain");
            assertTrue(ok(alice, "inbox", "--json").stdout().contains("after the restart"));
            ok(alice, "send", bobId, "and back", "--via", "chain");
            assertTrue(ok(bob, "inbox", "--json").stdout().contains("and back"));
            JsonNode after = ok(bob, "sessions", "--json").json().path("sessions");
            assertEquals(1, after.size(), after::toString);
            assertEquals(sessions.get(0).path("sessionId"), after.get(0).path("sessionId"),
                    "the same session, no new handshake");

            Cli.Result again = fails(bob, "already has a deployment: registry " + deployed.path("registry").asText(),
                    "deploy");
            assertTrue(again.stderr().contains("pass --new to deploy another and replace the local chain's record in "
                    + dir.resolve("chain-" + kind.option()).resolve("chain.json") + ", used by the profiles "
                    + dir.resolve("alice") + ", " + dir.resolve("bob")), again::toString);

            ok(alice, "chain", "stop");
            int port = java.net.URI.create(started.path("rpc").asText()).getPort();
            try (java.net.ServerSocket taken = new java.net.ServerSocket(port, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                Cli.Result moved = ok(alice, "chain", "start", "--node", kind.option(), "--json");
                assertTrue(moved.json().path("resumed").asBoolean(), moved::toString);
                assertFalse(moved.json().path("rpc").equals(started.path("rpc")), moved::toString);
                assertTrue(moved.stderr().contains("port " + port + " of the saved chain is taken, so it now runs at "
                        + moved.json().path("rpc").asText() + ": restart any `listen`"), moved::toString);
                assertEquals(made.path("publicKey"),
                        ok(bob, "lookup", made.path("id").asText(), "--json").json().path("publicKey"));
            }
            ok(alice, "chain", "stop");
            JsonNode fresh = ok(alice, "chain", "start", "--node", kind.option(), "--fresh", "--json").json();
            assertFalse(fresh.path("resumed").asBoolean());
            assertTrue(fresh.path("registry").isMissingNode() || fresh.path("registry").isNull(), fresh::toString);
            assertTrue(fresh.path("block").asLong() < head, fresh::toString);
            fails(bob, "no registry", "lookup", made.path("id").asText());
        } finally {
            alice.run("chain", "stop");
        }
    }

    @Test
    void deployRefusesASecondDeploymentWithoutNewAndHardhatKeepsTheNewOneAcrossARestart() throws IOException {
        profiles("chain-hardhat");
        try {
            ok(alice, "chain", "start");
            ok(alice, "id", "new", "--fast-kdf", "--no-recovery");
            ok(bob, "id", "new", "--fast-kdf", "--no-recovery");
            JsonNode first = ok(alice, "deploy", "--json").json();
            Cli.Result refused = fails(bob, "this chain (chain id 31337) already has a deployment: registry "
                    + first.path("registry").asText() + ", messenger " + first.path("messenger").asText()
                    + ": pass --new to deploy another and replace the local chain's record in "
                    + dir.resolve("chain-hardhat").resolve("chain.json") + ", used by the profiles "
                    + dir.resolve("alice") + ", " + dir.resolve("bob"), "deploy");
            assertFalse(refused.stdout().contains("0x"), refused::toString);
            assertEquals(first.path("registry"), ok(bob, "chain", "status", "--json").json().path("registry"),
                    "the refused deploy changed no record");
            Cli.Result second = ok(bob, "deploy", "--new", "--json");
            assertTrue(second.stderr().contains("deploying anew: this replaces the local chain's record"), second::toString);
            assertFalse(first.path("registry").equals(second.json().path("registry")));
            assertEquals(second.json().path("registry"),
                    ok(alice, "chain", "status", "--json").json().path("registry"));

            // On a local chain a text that needs a 16 KiB mailbox post is priced and, without a terminal, sent.
            ok(alice, "register");
            JsonNode bobShown = ok(bob, "id", "show", "--json").json();
            ok(bob, "register");
            Cli.Result big = ok(alice, "send", bobShown.path("id").asText(), "y".repeat(5000), "--timeout", "1");
            assertTrue(big.stderr().contains("this message needs a 16384-byte mailbox post if it goes through the"
                    + " mailbox: about "), big::toString);
            assertFalse(big.stderr().contains("error:"), big::toString);

            Cli.Result stopped = ok(alice, "chain", "stop", "--json");
            assertTrue(stopped.json().path("stateKept").asBoolean(), stopped::toString);
            assertTrue(stopped.stderr().contains("stopped the local Hardhat chain; its state (blocks, registrations,"
                    + " handshakes, the deployment) is saved in " + dir.resolve("chain-hardhat")), stopped::toString);
            Cli.Result restarted = ok(alice, "chain", "start", "--json");
            assertTrue(restarted.json().path("resumed").asBoolean(), restarted::toString);
            assertTrue(restarted.stderr().contains("replaying "), restarted::toString);
            assertTrue(restarted.stderr().contains(" transactions) in ") && restarted.stderr().contains(" s: each block"
                    + " came out with the hash recorded for it (which covers its transactions, their outcomes and the"
                    + " state)"), restarted::toString);
            assertEquals(second.json().path("registry"), restarted.json().path("registry"), "the second deployment");
            assertEquals(bobShown.path("publicKey"),
                    ok(alice, "lookup", bobShown.path("id").asText(), "--json").json().path("publicKey"));
        } finally {
            alice.run("chain", "stop");
        }
    }

    /**
     * A saved Hardhat chain that does not come back as it was saved is refused with what differs and
     * `--fresh` as the way out, and the node started for it is stopped: a block whose recorded hash
     * differs, a transaction deleted from the record, a transaction the node refuses, another genesis.
     */
    @Test
    void aSavedHardhatChainThatDoesNotReplayAsItWasIsRefused() throws IOException {
        profiles("chain-replay");
        Path saved = dir.resolve("chain-replay").resolve("state").resolve("hardhat").resolve("hardhat-chain.json");
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            ok(alice, "chain", "start");
            JsonNode deployed = ok(alice, "deploy", "--json").json();
            String aliceId = CliNetwork.newIdentity(alice);
            ok(alice, "chain", "stop");
            com.fasterxml.jackson.databind.node.ObjectNode good =
                    (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(saved.toFile());
            int blocks = good.path("blocks").size();

            // Block 1's saved hash altered: the replayed block 1 has another, so the replay stops there.
            var otherHash = good.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) otherHash.path("blocks").get(0))
                    .put("hash", "0x" + "00".repeat(32));
            mapper.writeValue(saved.toFile(), otherHash);
            fails(alice, "error: the saved Hardhat chain could not be replayed: block 1 came out with the hash "
                    + good.path("blocks").get(0).path("hash").asText() + ", not the recorded 0x" + "00".repeat(32)
                    + ", though it holds the recorded transactions: the record is not the chain that ran (was it"
                    + " edited?), or this node computes other outcomes; `peerkey chain start --fresh` discards it and"
                    + " starts a new chain", "chain", "start");
            fails(alice, "no local chain", "chain", "status");

            // One transaction deleted from the record (as if a revocation were erased): refused at its block.
            var deleted = good.deepCopy();
            int middle = blocks / 2;
            var gutted = (com.fasterxml.jackson.databind.node.ObjectNode) deleted.path("blocks").get(middle - 1);
            assertEquals(1, gutted.path("transactions").size(), gutted::toString);
            gutted.putArray("transactions");
            mapper.writeValue(saved.toFile(), deleted);
            Cli.Result gone = fails(alice, "error: the saved Hardhat chain could not be replayed: block " + middle
                    + " came out with the hash ", "chain", "start");
            assertTrue(gone.stderr().contains(", not the recorded " + gutted.path("hash").asText() + ", though it"
                    + " holds the recorded transactions: the record is not the chain that ran (was it edited?)"),
                    gone::toString);
            assertFalse(gone.stderr().contains("resumed"), gone::toString);
            fails(alice, "no local chain", "chain", "status");

            // A transaction the node does not take.
            var refused = good.deepCopy();
            var firstTx = (com.fasterxml.jackson.databind.node.ObjectNode) refused.path("blocks").get(0)
                    .path("transactions").get(0);
            firstTx.put("raw", "0x00");
            mapper.writeValue(saved.toFile(), refused);
            fails(alice, "error: the saved Hardhat chain could not be replayed: block 1: the node refused transaction "
                    + firstTx.path("hash").asText() + " (", "chain", "start");

            // Another genesis time: another genesis block.
            var otherGenesis = good.deepCopy();
            otherGenesis.put("genesisTimestamp", good.path("genesisTimestamp").asLong() - 1);
            mapper.writeValue(saved.toFile(), otherGenesis);
            Cli.Result genesis = fails(alice, "error: the saved Hardhat chain could not be replayed: the new node's"
                    + " genesis block (chain id 31337, hash ", "chain", "start");
            assertTrue(genesis.stderr().contains(") is not the saved one (chain id 31337, hash "
                    + good.path("genesisHash").asText() + "); `peerkey chain start --fresh`"), genesis::toString);

            Files.writeString(saved, "{\"blocks\": [");
            fails(alice, "error: the saved Hardhat chain " + saved + " is unreadable (", "chain", "start");
            fails(alice, "no local chain", "chain", "status");

            // The saved chain, as it was, still comes back; --fresh discards it.
            mapper.writeValue(saved.toFile(), good);
            ok(alice, "chain", "start");
            assertEquals(aliceId, ok(bob, "lookup", aliceId, "--json").json().path("id").asText());
            ok(alice, "chain", "stop");
            JsonNode fresh = ok(alice, "chain", "start", "--fresh", "--json").json();
            assertFalse(fresh.path("resumed").asBoolean());
            assertEquals(0, fresh.path("block").asLong());
        } finally {
            alice.run("chain", "stop");
        }
    }

    /**
     * Any local user may drive the dev node's cheat methods: a transaction sent through
     * hardhat_impersonateAccount (on the real node `chain start` runs) carries no signature of its
     * sender, so no node takes it again. `chain stop` says so, naming the block and transaction,
     * and saves no chain that would fail at the next start; that start begins a new chain.
     */
    @Test
    void anImpersonatedTransactionIsFoundAtTheStopAndNothingUnreplayableIsSaved() throws IOException {
        profiles("chain-impersonated");
        try {
            String rpc = ok(alice, "chain", "start", "--json").json().path("rpc").asText();
            ok(alice, "deploy");
            org.web3j.protocol.http.HttpService http = new org.web3j.protocol.http.HttpService(rpc);
            org.web3j.protocol.Web3j web3 = org.web3j.protocol.Web3j.build(http);
            String dev = web3.ethAccounts().send().getAccounts().get(0);
            String stranger = "0x00000000000000000000000000000000000be11e";
            // The stranger is funded by a signed transaction of a development account (replayable) …
            String funding = web3.ethSendTransaction(org.web3j.protocol.core.methods.request.Transaction
                    .createEtherTransaction(dev, null, null, null, stranger, java.math.BigInteger.TEN.pow(18)))
                    .send().getTransactionHash();
            assertTrue(funding != null && funding.startsWith("0x"));
            // … then sends as itself, without a key: the node makes up its signature.
            var impersonate = new org.web3j.protocol.core.Request<>("hardhat_impersonateAccount", List.of(stranger),
                    http, org.web3j.protocol.core.methods.response.VoidResponse.class).send();
            assertFalse(impersonate.hasError(), () -> impersonate.getError().getMessage());
            var sent = web3.ethSendTransaction(org.web3j.protocol.core.methods.request.Transaction
                    .createEtherTransaction(stranger, null, null, null, dev, java.math.BigInteger.ONE)).send();
            assertFalse(sent.hasError(), () -> sent.getError().getMessage());
            String tx = sent.getTransactionHash();
            long block = web3.ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow()
                    .getBlockNumber().longValueExact();

            Cli.Result stopped = ok(alice, "chain", "stop", "--json");
            assertFalse(stopped.json().path("stateKept").asBoolean(), stopped::toString);
            assertTrue(stopped.stderr().contains("the Hardhat chain could not be saved (block " + block
                    + ": transaction " + tx + " from " + stranger + " carries no signature of its sender (it was sent"
                    + " through the node's hardhat_impersonateAccount or another unsigned way), so no node takes it"
                    + " again: this chain cannot be saved to be resumed)"), stopped::toString);
            assertTrue(stopped.stderr().contains("stopped the local Hardhat chain; it is lost"), stopped::toString);
            assertFalse(Files.exists(dir.resolve("chain-impersonated/state/hardhat/hardhat-chain.json")));

            JsonNode next = ok(alice, "chain", "start", "--json").json();
            assertFalse(next.path("resumed").asBoolean(), next::toString);
            assertEquals(0, next.path("block").asLong(), next::toString);
        } finally {
            alice.run("chain", "stop");
        }
    }

    /** A Hardhat node that does not answer at `chain stop` cannot be saved: the stop says the chain is lost. */
    @Test
    void aHardhatChainThatCannotBeReadAtTheStopIsSaidToBeLost() throws Exception {
        profiles("chain-unsaved");
        try {
            ok(alice, "chain", "start");
            ok(alice, "deploy");
            ok(alice, "chain", "stop");
            assertTrue(ok(alice, "chain", "start", "--json").json().path("resumed").asBoolean());
            long pid = ok(alice, "chain", "status", "--json").json().path("pid").asLong();
            // The node is suspended: it accepts connections but answers none.
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
            Cli.Result stopped = ok(alice, "chain", "stop", "--json");
            assertFalse(stopped.json().path("stateKept").asBoolean(), stopped::toString);
            assertTrue(stopped.stderr().contains("the Hardhat chain could not be saved (")
                    && stopped.stderr().contains("stopped the local Hardhat chain; it is lost: its blocks,"
                            + " registrations and deployment are gone and the next `chain start` begins a new chain"),
                    stopped::toString);
            JsonNode next = ok(alice, "chain", "start", "--json").json();
            assertFalse(next.path("resumed").asBoolean(), next::toString);
            assertEquals(0, next.path("block").asLong(), next::toString);
        } finally {
            alice.run("chain", "stop");
        }
    }
}
