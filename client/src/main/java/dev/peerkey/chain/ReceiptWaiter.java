package dev.peerkey.chain;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Polls for a transaction receipt, starting at a few milliseconds so a local
 * automining chain answers at once, backing off to half a second on a real network.
 */
final class ReceiptWaiter {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final long FIRST_POLL_MS = 2;
    private static final long MAX_POLL_MS = 500;
    private static final long PROGRESS_AFTER_MS = 1000;

    private final Chain chain;
    private final Consumer<String> progress;

    ReceiptWaiter(Chain chain, Consumer<String> progress) {
        this.chain = chain;
        this.progress = progress;
    }

    TransactionReceipt await(String txHash) {
        long start = System.nanoTime();
        long pollMs = FIRST_POLL_MS;
        boolean announced = false;
        while (true) {
            Optional<TransactionReceipt> receipt =
                    chain.send(chain.web3j().ethGetTransactionReceipt(txHash)).getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            if (waitedMs > TIMEOUT.toMillis()) {
                throw new ChainException("no receipt for transaction " + txHash + " after "
                        + TIMEOUT.toMinutes() + " minutes; it may still be mined later");
            }
            if (!announced && waitedMs > PROGRESS_AFTER_MS) {
                progress.accept("waiting for transaction " + txHash + " to be mined…");
                announced = true;
            }
            sleep(pollMs);
            pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while waiting for a receipt", e);
        }
    }
}
