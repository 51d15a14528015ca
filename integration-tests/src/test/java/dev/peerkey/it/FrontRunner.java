package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.IdentityKey;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * A front-runner on a real node: with mining paused, it waits until the victim's transaction to
 * a contract sits in the pool, submits the same calldata from its own funded account with a ten
 * times higher tip, and mines one block, so the copy lands first and the victim's transaction
 * after it, in the same block.
 */
public final class FrontRunner {
    /**
     * What the victim's action returned or threw, and the two transactions in the block.
     *
     * @param result the action's value, or null if it threw
     * @param failure what the action threw, or null
     */
    public record Outcome<T>(T result, Throwable failure, TransactionReceipt copy, TransactionReceipt victim) { }

    private FrontRunner() {
    }

    /**
     * Runs {@code action} (which sends one transaction from {@code victim} to {@code target} and
     * waits for it) while front-running that transaction with a copy sent by {@code thief}.
     */
    public static <T> Outcome<T> run(TestChain node, String victim, String target, IdentityKey thief,
            Callable<T> action) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        node.automine(false);
        try {
            Future<T> running = pool.submit(action);
            Transaction pending = awaitPending(node, victim, target, running);
            String copyHash = sendCopy(node, pending, thief);
            awaitPendingCount(node, 2);
            node.mine();
            node.automine(true);
            T result = null;
            Throwable failure = null;
            try {
                result = running.get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
            TransactionReceipt copy = receipt(node, copyHash);
            TransactionReceipt mined = receipt(node, pending.getHash());
            assertEquals(copy.getBlockNumber(), mined.getBlockNumber(), "one block");
            assertTrue(copy.getTransactionIndex().compareTo(mined.getTransactionIndex()) < 0, "the copy goes first");
            assertTrue(copy.isStatusOK(), "the copy succeeds");
            return new Outcome<>(result, failure, copy, mined);
        } finally {
            node.automine(true);
            pool.shutdownNow();
        }
    }

    private static Transaction awaitPending(TestChain node, String from, String to, Future<?> running)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (running.isDone()) {
                running.get(); // it failed before sending: show why
                throw new AssertionError("the action finished without sending a transaction to " + to);
            }
            Optional<Transaction> found = pendingTransactions(node).stream()
                    .filter(tx -> from.equalsIgnoreCase(tx.getFrom()) && to.equalsIgnoreCase(tx.getTo()))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(20);
        }
        throw new TimeoutException("no transaction from " + from + " to " + to + " reached the pool");
    }

    private static void awaitPendingCount(TestChain node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pendingTransactions(node).size() < count) {
            assertTrue(System.nanoTime() < deadline, "the copy never reached the pool");
            Thread.sleep(20);
        }
    }

    private static List<Transaction> pendingTransactions(TestChain node) {
        return node.pendingTransactions();
    }

    private static String sendCopy(TestChain node, Transaction victim, IdentityKey thief) {
        BigInteger nonce = BigInteger.valueOf(node.pendingNonce(thief.address()));
        BigInteger tip = Optional.ofNullable(victim.getMaxPriorityFeePerGas()).orElse(BigInteger.ONE)
                .multiply(BigInteger.TEN).max(BigInteger.TEN.pow(10));
        BigInteger maxFee = Optional.ofNullable(victim.getMaxFeePerGas()).orElse(victim.getGasPrice())
                .multiply(BigInteger.TEN).add(tip);
        RawTransaction copy = RawTransaction.createTransaction(node.chain().chainId(), nonce, victim.getGas(),
                victim.getTo(), BigInteger.ZERO, victim.getInput(), tip, maxFee);
        byte[] signed = TransactionEncoder.signMessage(copy, node.chain().chainId(), thief.credentials());
        return node.chain().send(node.chain().web3j().ethSendRawTransaction(Numeric.toHexString(signed)))
                .getTransactionHash();
    }

    private static TransactionReceipt receipt(TestChain node, String hash) {
        return node.receipt(hash);
    }
}
