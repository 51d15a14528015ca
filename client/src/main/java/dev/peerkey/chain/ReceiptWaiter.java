package dev.peerkey.chain;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
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
    /** How long a transaction must look lost, on every look, before it is given up: one look is not enough. */
    private static final long LOST_FOR_MS = 1000;
    /** No receipt yet this early is normal, even on an automining chain: no need to ask if it is lost. */
    private static final long CHECK_LOST_AFTER_MS = 100;

    private final Chain chain;
    private final Consumer<String> progress;

    ReceiptWaiter(Chain chain, Consumer<String> progress) {
        this.chain = chain;
        this.progress = progress;
    }

    TransactionReceipt await(String txHash) {
        return await(txHash, () -> false).orElseThrow();
    }

    /**
     * The receipt, or empty if the transaction was lost: {@code lost} held on looks at least
     * {@link #LOST_FOR_MS} apart, and the receipt was still missing after each.
     *
     * @param lost whether the transaction can no longer be mined (checked only while no receipt has come)
     */
    Optional<TransactionReceipt> await(String txHash, BooleanSupplier lost) {
        long start = System.nanoTime();
        long pollMs = FIRST_POLL_MS;
        long lostSinceMs = -1;
        boolean announced = false;
        while (true) {
            Optional<TransactionReceipt> receipt = receipt(txHash);
            if (receipt.isPresent()) {
                return receipt;
            }
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            if (waitedMs > CHECK_LOST_AFTER_MS && lost.getAsBoolean()) {
                receipt = receipt(txHash); // read after the check: mined meanwhile is not lost
                if (receipt.isPresent()) {
                    return receipt;
                }
                if (lostSinceMs < 0) {
                    lostSinceMs = waitedMs;
                } else if (waitedMs - lostSinceMs >= LOST_FOR_MS) {
                    return Optional.empty();
                }
            } else {
                lostSinceMs = -1;
            }
            if (waitedMs > TIMEOUT.toMillis()) {
                throw new ChainException("no receipt for transaction " + txHash + " after "
                        + TIMEOUT.toMinutes() + " minutes; it may still be mined later");
            }
            if (!announced && waitedMs > PROGRESS_AFTER_MS) {
                progress.accept("waiting for transaction " + txHash + " to be mined…");
                announced = true;
            }
            sleep(lostSinceMs >= 0 ? Math.min(pollMs, LOST_FOR_MS / 4) : pollMs);
            pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
        }
    }

    private Optional<TransactionReceipt> receipt(String txHash) {
        return chain.send(chain.web3j().ethGetTransactionReceipt(txHash)).getTransactionReceipt();
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
