package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.generated.Messenger;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * Two senders for one account at the same time, as when a `listen` daemon posts while the user
 * runs `send`: each reads the same pending nonce, one loses the race, and the transactor must
 * sign again with the next nonce rather than fail. Against a real Hardhat node, both when it
 * mines each transaction on arrival (the loser hears "Nonce too low") and when transactions
 * wait in the pool (the loser hears "Replacement transaction underpriced").
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.QUEUEING_MATRIX)
class TransactorIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static final int SENDS_PER_SENDER = 40;

    private static TestChain node;
    private static String messenger;

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        Registry registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), registry.address(),
                m -> { }).messenger().address();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    @Test
    void twoSendersOfOneAccountBothLandEverythingWhenEachTransactionIsMinedAtOnce() throws Exception {
        sendConcurrentlyFromOneAccount();
    }

    @Test
    void twoSendersOfOneAccountBothLandEverythingWhenTransactionsWaitInThePool() throws Exception {
        node.automine(false);
        node.rpc("evm_setIntervalMining", kind == NodeKind.ANVIL ? 1 : 50); // Anvil counts seconds, Hardhat ms
        try {
            sendConcurrentlyFromOneAccount();
        } finally {
            node.rpc("evm_setIntervalMining", 0);
            node.automine(true);
        }
    }

    /**
     * The race Anvil loses now and then when two senders of one account meet its miner: it takes
     * both transactions of one nonce, mines one and forgets the other, whose sender would wait for a
     * receipt that never comes. Made certain here: the node drops the first sender's transaction
     * and the second sender's takes its nonce. The first call must still land, sent again.
     */
    @Test
    void aTransactionTheNodeDropsAfterAnotherTookItsNonceIsSentAgain() throws Exception {
        IdentityKey key = node.fundedKey();
        Queue<String> progress = new ConcurrentLinkedQueue<>();
        Transactor first = transactor(key, progress::add);
        Transactor second = transactor(key, m -> { });
        Messenger calls = Messenger.load(messenger, node.chain().web3j(), first, new DefaultGasProvider());
        byte[] tag = new byte[32];
        tag[0] = 9;
        String firstCall = calls.post(tag, new byte[] {1}).encodeFunctionCall();
        String dropped;
        node.automine(false);
        try {
            dropped = first.submit(messenger, firstCall);
            BigInteger nonce = transaction(dropped).getNonce();
            node.rpc(kind == NodeKind.ANVIL ? "anvil_dropTransaction" : "hardhat_dropTransaction", dropped);
            String taker = second.submit(messenger, calls.post(tag, new byte[] {2}).encodeFunctionCall());
            assertEquals(nonce, transaction(taker).getNonce(),
                    "the second sender took the dropped transaction's nonce");
            node.mine();
        } finally {
            node.automine(true);
        }
        TransactionReceipt receipt = first.awaitReceipt(dropped);
        assertTrue(receipt.isStatusOK(), receipt.toString());
        assertNotEquals(dropped, receipt.getTransactionHash());
        assertEquals(firstCall, transaction(receipt.getTransactionHash()).getInput(), "the same call, sent again");
        assertTrue(progress.stream().anyMatch(m -> m.contains("dropped transaction " + dropped)), progress::toString);
    }

    private static Transactor transactor(IdentityKey key, Consumer<String> progress) {
        return new Transactor(node.chain(), key.credentials(),
                data -> new RevertException("revert", "refused: " + data), progress);
    }

    /** A transaction the node knows, pending or mined. */
    private static Transaction transaction(String hash) {
        return node.chain().send(node.chain().web3j().ethGetTransactionByHash(hash)).getTransaction().orElseThrow();
    }

    private static void sendConcurrentlyFromOneAccount() throws Exception {
        IdentityKey key = node.fundedKey();
        Queue<String> progress = new ConcurrentLinkedQueue<>();
        CyclicBarrier together = new CyclicBarrier(2); // each send starts with the other's: they race
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<TransactionReceipt>>> senders = new ArrayList<>();
        try {
            for (int sender = 0; sender < 2; sender++) {
                Transactor transactor = transactor(key, progress::add);
                Messenger contract = Messenger.load(messenger, node.chain().web3j(), transactor,
                        new DefaultGasProvider());
                byte tagByte = (byte) sender;
                senders.add(pool.submit(() -> {
                    List<TransactionReceipt> receipts = new ArrayList<>();
                    for (int i = 0; i < SENDS_PER_SENDER; i++) {
                        together.await(2, TimeUnit.MINUTES);
                        byte[] tag = new byte[32];
                        tag[0] = tagByte;
                        receipts.add(contract.post(tag, new byte[] {(byte) i}).send());
                    }
                    return receipts;
                }));
            }
            Set<String> hashes = new HashSet<>();
            for (Future<List<TransactionReceipt>> sender : senders) {
                for (TransactionReceipt receipt : sender.get(2, TimeUnit.MINUTES)) {
                    assertTrue(receipt.isStatusOK(), receipt.toString());
                    hashes.add(receipt.getTransactionHash());
                }
            }
            assertEquals(2 * SENDS_PER_SENDER, hashes.size());
            BigInteger nonce = node.chain().send(node.chain().web3j().ethGetTransactionCount(key.address(),
                    DefaultBlockParameterName.LATEST)).getTransactionCount();
            assertEquals(2 * SENDS_PER_SENDER, nonce.intValueExact());
            // The senders did race: at least one nonce was taken by the other, and the loser sent again.
            assertTrue(progress.stream().anyMatch(m -> m.contains("was just taken by another transaction")
                            || m.contains("went to another transaction")),
                    progress::toString);
        } finally {
            pool.shutdownNow();
        }
    }
}
