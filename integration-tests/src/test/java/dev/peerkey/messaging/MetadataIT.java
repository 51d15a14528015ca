package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.identity.PeerId;
import dev.peerkey.it.Cli;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * What an observer of the chain learns from a conversation, checked on the chain itself after
 * Alice and Bob (separate CLI processes, separate profiles) talk through the mailbox on three
 * (simulated) days: every post is sent by a profile's mailbox account, never by an identity's;
 * every envelope is one of four sizes; each day's posts carry other tags, and Bob, offline for
 * days, still receives them all. Days are simulated by {@code PEERKEY_TEST_CLOCK_OFFSET}, which
 * moves only the CLI's clock.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetadataIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> SIZES = Set.of(256, 1024, 4096, 16_384);
    /** Texts that together fill every size: 169 bytes is the most the smallest holds, 16,297 the largest. */
    private static final List<Integer> DAY_0_LENGTHS = List.of(1, 169, 170, 1000, 3000, 5000, 16_297);
    private static final String POSTED = EventEncoder.encode(Messenger.POSTED_EVENT);
    private static final String REQUESTED = EventEncoder.encode(Messenger.AUTHREQUESTED_EVENT);
    private static final String ACCEPTED = EventEncoder.encode(Messenger.AUTHACCEPTED_EVENT);

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Map<String, String> env;
    private static String messenger;
    private static String aliceId;
    private static String bobId;
    /** Blocks at the end of day 0, day 1 and day 2. */
    private static final long[] endOfDay = new long[3];
    private static final List<String> sentTexts = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(cli("deployer", null), "deploy", "--json").json();
        messenger = deployed.path("messenger").asText();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", messenger);
        aliceId = newIdentity(cli("alice", null));
        bobId = newIdentity(cli("bob", null));
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    /** A profile's CLI; {@code day} > 0 runs it with its clock that many days ahead. */
    private static Cli cli(String profile, Integer day) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(profile).toString());
        if (day != null && day > 0) {
            own.put("PEERKEY_TEST_CLOCK_OFFSET", "P" + day + "D");
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

    private static void send(Cli from, String to, String text) {
        JsonNode sent = ok(from, "send", to, text, "--via", "chain", "--json").json();
        assertEquals("chain", sent.path("via").asText(), sent::toString);
        sentTexts.add(text);
    }

    private static String text(int bytes, String label) {
        return (label + "-" + "x".repeat(bytes)).substring(0, bytes);
    }

    private static String mailboxAccount(String profile) {
        return ok(cli(profile, null), "mailbox-account", "--json").json().path("address").asText().toLowerCase();
    }

    private static String address(String id) {
        return PeerId.parse(id).address().toLowerCase();
    }

    /** Every log of the messenger with {@code topic0}, with the transaction that emitted it. */
    private static List<Log> logs(String topic0) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ZERO),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(node.chain().blockNumber())), messenger);
        filter.addSingleTopic(topic0);
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> result : node.chain().send(node.chain().web3j().ethGetLogs(filter)).getLogs()) {
            logs.add((Log) result.get());
        }
        return logs;
    }

    private static String sender(Log log) {
        return node.chain().send(node.chain().web3j().ethGetTransactionByHash(log.getTransactionHash()))
                .getTransaction().orElseThrow().getFrom().toLowerCase();
    }

    private static int dayOf(Log log) {
        long block = log.getBlockNumber().longValueExact();
        for (int day = 0; day < endOfDay.length; day++) {
            if (block <= endOfDay[day]) {
                return day;
            }
        }
        throw new AssertionError("a post after day 2, in block " + block);
    }

    @Test
    @Order(1)
    void aConversationOverThreeDaysWithBobOfflineAfterTheFirst() {
        Cli alice = cli("alice", null);
        Cli bob = cli("bob", null);
        Cli.Result pending = alice.run("auth", bobId, "--timeout", "2s");
        assertEquals(1, pending.exitCode(), pending::toString);
        ok(bob, "accept", aliceId); // Bob accepts the message request (his identity's account submits the accept)
        ok(alice, "inbox"); // Alice finishes and posts her key confirmation
        ok(bob, "inbox");   // Bob receives it and posts the acknowledgement
        ok(alice, "inbox"); // Alice receives the acknowledgement

        for (int length : DAY_0_LENGTHS) {
            send(alice, bobId, text(length, "day0"));
        }
        ok(bob, "inbox");   // Bob reads day 0 (and acknowledges), then goes offline for days
        send(bob, aliceId, "a reply on day 0");
        ok(alice, "inbox");
        endOfDay[0] = node.chain().blockNumber();

        send(cli("alice", 1), bobId, "day 1, first");
        send(cli("alice", 1), bobId, "day 1, second");
        endOfDay[1] = node.chain().blockNumber();
        send(cli("alice", 2), bobId, "day 2");
        endOfDay[2] = node.chain().blockNumber();

        // Bob comes back on day 3: his cursor was saved on day 0, so he asks for days -1 to 4.
        ok(cli("bob", 3), "inbox");
        List<String> bobGot = received(cli("bob", 3));
        List<String> aliceGot = received(alice);
        for (String text : sentTexts) {
            List<String> inbox = text.equals("a reply on day 0") ? aliceGot : bobGot;
            assertEquals(1, inbox.stream().filter(text::equals).count(), "received once: " + text.substring(0,
                    Math.min(20, text.length())));
        }
    }

    private static List<String> received(Cli cli) {
        List<String> texts = new ArrayList<>();
        for (String line : ok(cli, "inbox", "--all", "--json").stdout().strip().lines().toList()) {
            try {
                JsonNode m = JSON.readTree(line);
                if (m.has("text")) {
                    texts.add(m.path("text").asText());
                }
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }
        return texts;
    }

    @Test
    @Order(2)
    void everyPostIsSentByAMailboxAccountAndNeverByAnIdentity() {
        String aliceMailbox = mailboxAccount("alice");
        String bobMailbox = mailboxAccount("bob");
        Set<String> identities = Set.of(address(aliceId), address(bobId));
        assertFalse(identities.contains(aliceMailbox) || identities.contains(bobMailbox));
        assertNotEquals(aliceMailbox, bobMailbox);
        List<Log> posts = logs(POSTED);
        // Alice's 10 texts and key confirmation, Bob's reply, and acknowledgements both ways.
        assertTrue(posts.size() >= sentTexts.size() + 3, "posts: " + posts.size());
        Set<String> senders = new HashSet<>();
        for (Log post : posts) {
            senders.add(sender(post));
        }
        assertEquals(Set.of(aliceMailbox, bobMailbox), senders);
        // By design, the handshake steps are submitted by the identities themselves (their events name both IDs).
        assertEquals(address(aliceId), sender(logs(REQUESTED).get(0)));
        assertEquals(address(bobId), sender(logs(ACCEPTED).get(0)));
    }

    @Test
    @Order(3)
    void everyEnvelopeIsOneOfFourSizesAndEverySizeOccurs() {
        Set<Integer> seen = new HashSet<>();
        for (Log post : logs(POSTED)) {
            int length = Messenger.getPostedEventFromLog(post).envelope.length;
            assertTrue(SIZES.contains(length), "an envelope of " + length + " bytes");
            seen.add(length);
        }
        assertEquals(SIZES, seen);
    }

    @Test
    @Order(4)
    void eachDaysPostsToBobCarryTheirOwnTag() {
        String aliceMailbox = mailboxAccount("alice");
        List<Set<String>> tagsByDay = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
        for (Log post : logs(POSTED)) {
            if (sender(post).equals(aliceMailbox)) {
                tagsByDay.get(dayOf(post)).add(HexFormat.of().formatHex(Messenger.getPostedEventFromLog(post).recipientTag));
            }
        }
        for (Set<String> day : tagsByDay) {
            assertEquals(1, day.size(), "within a day, one tag per direction: " + tagsByDay);
        }
        assertEquals(3, new HashSet<>(List.of(tagsByDay.get(0).iterator().next(), tagsByDay.get(1).iterator().next(),
                tagsByDay.get(2).iterator().next())).size(), "three days, three tags");
    }

    @Test
    @Order(5)
    void onARealChainAnUnfundedMailboxAccountIsNamedWithTheAmountItNeeds() {
        String aliceMailbox = mailboxAccount("alice");
        node.setBalance(aliceMailbox, BigInteger.ZERO);
        // Through a node that unlocks no accounts, the chain is not a development chain: nothing funds the account.
        try (TamperingProxy realChain = TamperingProxy.start(node.rpcUrl())) {
            realChain.tamper((method, answer) -> method.equals("eth_accounts")
                    ? answer.replaceFirst("\"result\"\\s*:\\s*\\[[^]]*]", "\"result\":[]") : answer);
            Map<String, String> viaProxy = new HashMap<>(env);
            viaProxy.put("PEERKEY_HOME", dir.resolve("alice").toString());
            viaProxy.put("PEERKEY_RPC", realChain.url());
            Cli.Result result = new Cli(viaProxy).run("send", bobId, "nobody pays for this", "--via", "chain");
            assertEquals(1, result.exitCode(), result::toString);
            String error = result.stderr();
            assertTrue(error.startsWith("error: ") && error.contains("stays queued: the profile's mailbox account "
                    + aliceMailbox + " cannot pay"),
                    result::toString);
            assertTrue(error.contains("holds 0 ETH and needs up to "), result::toString);
            assertTrue(error.contains("send ether to"), result::toString);
            JsonNode shown = new Cli(viaProxy).run("mailbox-account", "--json").json();
            assertEquals("0", shown.path("balanceWei").asText(), shown::toString);
        }
    }
}
