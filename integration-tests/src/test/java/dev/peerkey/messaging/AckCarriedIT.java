package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.Chain;
import dev.peerkey.it.Cli;
import dev.peerkey.it.ChatParties;
import dev.peerkey.it.ChatParties.Party;
import dev.peerkey.it.MovableClock;
import dev.peerkey.it.TestChain;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.Transport;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Issue 10, item 6: an acknowledgement rides in the transaction of a reply on the same session
 * instead of a transaction of its own, on a real Hardhat node. Two chat clients take turns; each
 * holds its acknowledgements for {@link ChatClient#ACK_GRACE} and answers within it (their clocks
 * stand still until the test moves them, so no assertion depends on timing). The sender takes a
 * carried acknowledgement exactly like one sent alone: the message is delivered and not resent.
 */
class AckCarriedIT {
    private static final int MESSAGES = 20;

    @TempDir
    static Path dir;

    private static TestChain node;
    private static ChatParties parties;

    @BeforeAll
    static void deploy() {
        node = TestChain.start();
        parties = new ChatParties(node, dir);
    }

    @AfterAll
    static void stop() {
        parties.close();
        node.close();
    }

    private static Party party(String name, Clock clock) {
        return parties.party(name, clock);
    }

    /** Alice and Bob with an established session, every handshake message acknowledged. */
    private static Party[] pair(String name, Clock clock) {
        Party alice = party(name + "-alice", clock);
        Party bob = party(name + "-bob", clock);
        alice.chat().startAuth(bob.chat().id());
        bob.chat().sync();
        bob.chat().accept(alice.chat().id());
        alice.chat().sync(); // the key confirmation
        bob.chat().sync();
        alice.chat().sync();
        return new Party[] {alice, bob};
    }

    private static MessageStatus status(Party p, MessageId id) {
        return p.store().inTransactionReturning(tx -> tx.message(id)).orElseThrow().status();
    }

    /** The transactions both mailbox accounts sent after {@code fromBlock}, and how many envelopes each posted. */
    private static List<Integer> postsSince(long fromBlock, Party... parties) {
        Chain chain = node.chain();
        List<Integer> envelopes = new ArrayList<>();
        for (long b = fromBlock + 1; b <= chain.blockNumber(); b++) {
            EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)).getBlock();
            for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
                EthBlock.TransactionObject tx = (EthBlock.TransactionObject) t.get();
                for (Party p : parties) {
                    if (p.mailbox().address().equalsIgnoreCase(tx.getFrom())) {
                        TransactionReceipt receipt = chain.send(chain.web3j().ethGetTransactionReceipt(tx.getHash()))
                                .getTransactionReceipt().orElseThrow();
                        envelopes.add(receipt.getLogs().size());
                    }
                }
            }
        }
        return envelopes;
    }

    /** Every one of {@code sent} reached its recipient exactly once and is acknowledged at its sender. */
    private static void deliveredOnceAndAcknowledged(Party[] turn, List<ChatClient.Sent> sent) {
        for (int i = 0; i < sent.size(); i++) {
            MessageId id = sent.get(i).message().id();
            Party by = turn[i % 2];
            Party to = turn[(i + 1) % 2];
            String text = "message " + i;
            assertEquals(MessageStatus.DELIVERED, status(by, id), text + " acknowledged");
            List<Message> got = to.store().inTransactionReturning(tx -> tx.messages(by.chat().id(), 1000))
                    .stream().filter(m -> m.direction() == Direction.IN && m.text().equals(text)).toList();
            assertEquals(1, got.size(), text + " received once");
            assertEquals(id, got.get(0).id());
        }
    }

    @Test
    void repliesWithinTheGracePeriodCarryEveryAcknowledgement() {
        MovableClock clock = new MovableClock();
        Party[] turn = pair("carried", clock);
        turn[0].chat().holdAcknowledgements(ChatClient.ACK_GRACE);
        turn[1].chat().holdAcknowledgements(ChatClient.ACK_GRACE);
        long from = node.chain().blockNumber();
        List<ChatClient.Sent> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            Party by = turn[i % 2];
            by.chat().sync(); // reads the other's message, and the acknowledgement it carried
            if (i > 0) {
                assertEquals(1, by.chat().owedAcknowledgements(), "held back, not sent alone");
            }
            if (i > 1) {
                assertEquals(MessageStatus.DELIVERED, status(by, sent.get(i - 2).message().id()),
                        "a carried acknowledgement delivers the message");
            }
            ChatClient.Sent s = by.chat().send(turn[(i + 1) % 2].chat().id(), "message " + i, Transport.CHAIN);
            assertEquals(Transport.CHAIN, s.via());
            assertEquals(i == 0 ? 0 : 1, s.acksCarried(), "message " + i + " carries the acknowledgement it owes");
            assertEquals(0, by.chat().owedAcknowledgements());
            sent.add(s);
        }
        Party last = turn[MESSAGES % 2];
        last.chat().sync(); // reads the last message
        List<Integer> conversation = postsSince(from, turn);
        assertEquals(MESSAGES, conversation.size(), "one transaction per message, none for acknowledgements alone");
        assertEquals(1, conversation.get(0), "the first message has nothing to carry");
        assertTrue(conversation.subList(1, MESSAGES).stream().allMatch(n -> n == 2),
                "every reply carries an acknowledgement envelope: " + conversation);

        // Nobody answers the last message: its acknowledgement goes out alone once the grace period passed.
        assertEquals(0, last.chat().resendQueued(), "nothing resent: every message of ours was acknowledged");
        long beforeGrace = node.chain().blockNumber();
        last.chat().sync();
        assertEquals(beforeGrace, node.chain().blockNumber(), "still within the grace period");
        clock.advance(ChatClient.ACK_GRACE);
        last.chat().sync();
        List<Integer> alone = postsSince(beforeGrace, turn);
        assertEquals(List.of(1), alone, "one acknowledgement alone, after the grace period");
        turn[(MESSAGES + 1) % 2].chat().sync();
        deliveredOnceAndAcknowledged(turn, sent);
        clock.advance(ChatClient.BACKSTOP_AFTER.multipliedBy(2));
        assertEquals(0, turn[0].chat().resendQueued() + turn[1].chat().resendQueued(), "nothing left to resend");
    }

    @Test
    void withoutAGracePeriodEachAcknowledgementTakesATransactionOfItsOwn() {
        Party[] turn = pair("alone", new MovableClock());
        long from = node.chain().blockNumber();
        List<ChatClient.Sent> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            Party by = turn[i % 2];
            by.chat().sync();
            ChatClient.Sent s = by.chat().send(turn[(i + 1) % 2].chat().id(), "message " + i, Transport.CHAIN);
            assertEquals(0, s.acksCarried());
            sent.add(s);
        }
        turn[MESSAGES % 2].chat().sync();
        turn[(MESSAGES + 1) % 2].chat().sync();
        List<Integer> posts = postsSince(from, turn);
        assertEquals(2 * MESSAGES, posts.size(), "a transaction per message and one per acknowledgement");
        assertTrue(posts.stream().allMatch(n -> n == 1));
        deliveredOnceAndAcknowledged(turn, sent);
    }

    @Test
    void aCommandThatExitsSendsWhatItStillOwes() {
        Party[] turn = pair("exit", new MovableClock());
        Party alice = turn[0];
        Party bob = turn[1];
        bob.chat().holdAcknowledgements(Duration.ofDays(1)); // as `send` does for its whole run
        ChatClient.Sent hello = alice.chat().send(bob.chat().id(), "message 0", Transport.CHAIN);
        bob.chat().sync();
        assertEquals(1, bob.chat().owedAcknowledgements());
        long before = node.chain().blockNumber();
        bob.chat().close(); // the command exits
        assertEquals(List.of(1), postsSince(before, bob), "the acknowledgement went out alone on exit");
        alice.chat().sync();
        assertEquals(MessageStatus.DELIVERED, status(alice, hello.message().id()));
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    /**
     * The CLI: `send` reads the mailbox first, and the reply it posts carries the acknowledgement
     * of what it read, in its one transaction; nothing is left owed when it exits, and the peer's
     * next `inbox` marks its message delivered.
     */
    @Test
    void aSendCarriesTheAcknowledgementOfWhatItRead() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Map<String, String> env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE",
                password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(cli(env, "deployer"), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        Cli alice = cli(env, "cli-alice");
        Cli bob = cli(env, "cli-bob");
        String aliceId = identity(alice);
        String bobId = identity(bob);
        ok(alice, "send", bobId, "hello Bob", "--timeout", "1s");
        ok(bob, "accept", aliceId);
        ok(alice, "inbox");
        ok(bob, "inbox");
        ok(alice, "inbox");

        ok(alice, "send", bobId, "a question", "--via", "chain");
        long before = node.chain().blockNumber();
        JsonNode answer = ok(bob, "send", aliceId, "the answer", "--via", "chain", "--json").json();
        assertEquals(1, answer.path("acksCarried").asInt(), answer::toString);
        assertEquals(before + 1, node.chain().blockNumber(), "one transaction: the answer, carrying the acknowledgement");
        List<JsonNode> aliceSent = new ArrayList<>();
        for (String line : ok(alice, "inbox", "--all", "--json").stdout().strip().lines().toList()) {
            if (line.startsWith("{")) {
                JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                if (m.path("text").asText().equals("a question")) {
                    aliceSent.add(m);
                }
            }
        }
        assertEquals(1, aliceSent.size(), aliceSent::toString);
        assertEquals("delivered", aliceSent.get(0).path("status").asText(), aliceSent::toString);
    }

    private static Cli cli(Map<String, String> env, String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static String identity(Cli cli) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register");
        return id;
    }
}
