package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.transport.ChainEvent;
import java.io.IOException;

import dev.peerkey.chain.Chain;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.ChatParties;
import dev.peerkey.it.ChatParties.Party;
import dev.peerkey.it.TestChain;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.generated.Messenger;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Issue 10, item 6: a mailbox pass that finds mail on several sessions acknowledges them all in
 * one transaction ({@code postBatch}, one {@code Posted} event per session) instead of one
 * transaction per session, on a real Hardhat node that makes a block every 200 ms meanwhile;
 * every sender's follower reads its acknowledgement from the batch unchanged and marks its
 * message delivered.
 */
class AckBatchIT {
    private static final int SENDERS = 5;
    private static final String POSTED = EventEncoder.encode(Messenger.POSTED_EVENT);

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

    private static Party party(String name) {
        return parties.party(name, Clock.systemUTC());
    }

    @Test
    void onePassAcknowledgesEverySessionInOneTransaction() {
        Party bob = party("bob");
        List<Party> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            Party sender = party("sender" + i);
            senders.add(sender);
            sender.chat().startAuth(bob.chat().id());
        }
        bob.chat().sync();
        senders.forEach(s -> bob.chat().accept(s.chat().id()));
        senders.forEach(s -> s.chat().sync());
        bob.chat().sync(); // the key confirmations
        List<ChatClient.Sent> sent = new ArrayList<>();
        for (Party s : senders) {
            s.chat().sync();
            sent.add(s.chat().send(bob.chat().id(), "hello Bob", Transport.CHAIN));
        }

        Chain chain = node.chain();
        long from = chain.blockNumber();
        BigInteger nonce = nonce(bob.mailbox().address());
        node.automine(false);
        node.rpc("evm_setIntervalMining", 200);
        ChatClient.SyncReport report;
        try {
            report = bob.chat().sync();
        } finally {
            node.rpc("evm_setIntervalMining", 0);
            node.automine(true);
        }
        assertEquals(SENDERS, report.stored());
        assertEquals(BigInteger.ONE, nonce(bob.mailbox().address()).subtract(nonce), "one acknowledgement transaction");
        TransactionReceipt ack = receiptsFrom(bob.mailbox().address(), from + 1, chain.blockNumber()).get(0);
        assertEquals(SENDERS, ack.getLogs().stream().filter(l -> POSTED.equals(l.getTopics().get(0))).count(),
                "one Posted event per session");

        for (int i = 0; i < SENDERS; i++) {
            Party s = senders.get(i);
            s.chat().sync();
            var id = sent.get(i).message().id();
            assertEquals(MessageStatus.DELIVERED, s.store().inTransactionReturning(tx -> tx.message(id))
                    .orElseThrow().status(), "sender " + i + " read its acknowledgement from the batch");
        }
    }

    @Test
    void aMessengerDeployedBeforePostBatchGetsTheEnvelopesOneByOneBackToBack() throws IOException {
        JsonNode artifact = new ObjectMapper().readTree(TestChain.projectRoot()
                .resolve("artifacts/contracts/test/MessengerWithoutBatch.sol/MessengerWithoutBatch.json").toFile());
        String hash = new Transactor(node.chain(), node.fundedKey().credentials(),
                data -> new RevertException("revert", data), m -> { })
                .sendTransaction(null, null, null, artifact.path("bytecode").asText(), BigInteger.ZERO, true)
                .getTransactionHash();
        String address = node.chain().send(node.chain().web3j().ethGetTransactionReceipt(hash))
                .getTransactionReceipt().orElseThrow().getContractAddress();
        MessengerContract old = MessengerContract.at(node.chain(), address, m -> { });
        try (Store store = Store.open(dir.resolve("old.db"), StoreKey.random(), Store.Sync.NORMAL)) {
            IdentityKey account = node.fundedKey();
            MailboxPoster poster = new MailboxPoster(store, old, account::credentials, Clock.systemUTC());
            List<MailboxPoster.Item> items = new ArrayList<>();
            List<byte[]> tags = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] sessionId = random();
                byte[] tag = random();
                tags.add(tag);
                items.add(new MailboxPoster.Item(new SessionRecord(sessionId, PeerId.of(random()), PeerId.of(random()),
                        SessionStatus.PENDING_INCOMING, null, null, Instant.now(), Instant.now()),
                        new SessionRoute(sessionId, random(), tag, null, null), ("acknowledgement " + i).getBytes()));
            }
            assertEquals(3, poster.postAll(items).size(), "one transaction per envelope");
            List<ChainEvent> posted = old.events(0, node.chain().blockNumber(), PeerId.of(random()), tags);
            assertEquals(3, posted.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(tags.get(i), ((ChainEvent.PostEvent) posted.get(i)).tag());
            }
        }
    }

    private static byte[] random() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static BigInteger nonce(String account) {
        return node.chain().send(node.chain().web3j().ethGetTransactionCount(account,
                DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    private static List<TransactionReceipt> receiptsFrom(String account, long fromBlock, long toBlock) {
        Chain chain = node.chain();
        List<TransactionReceipt> receipts = new ArrayList<>();
        for (long b = fromBlock; b <= toBlock; b++) {
            EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)).getBlock();
            for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
                EthBlock.TransactionObject tx = (EthBlock.TransactionObject) t.get();
                if (account.equalsIgnoreCase(tx.getFrom())) {
                    receipts.add(chain.send(chain.web3j().ethGetTransactionReceipt(tx.getHash()))
                            .getTransactionReceipt().orElseThrow());
                }
            }
        }
        return receipts;
    }
}
