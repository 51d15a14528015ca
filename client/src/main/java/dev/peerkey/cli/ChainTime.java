package dev.peerkey.cli;

import dev.peerkey.chain.Chain;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The chain's clock: what the registry compares a waiting time with is the block's timestamp,
 * and a transaction is simulated against the latest block before it is sent.
 */
final class ChainTime {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    private ChainTime() {
    }

    /** The latest block's timestamp. */
    static Instant latestBlock(Chain chain) {
        return Instant.ofEpochSecond(chain.send(chain.web3j().ethGetBlockByNumber(
                DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp().longValueExact());
    }

    /** Whether {@code time} has come by the chain's clock or, the next block's being about now, by ours. */
    static boolean reached(Chain chain, Instant time) {
        return !Instant.now().isBefore(time) || !latestBlock(chain).isBefore(time);
    }

    /** Sleeps until our clock reaches {@code time}, telling how long is left now and then. */
    static void sleepUntil(Instant time, String what, Consumer<String> progress) {
        Instant lastTold = Instant.MIN;
        while (Instant.now().isBefore(time)) {
            if (Duration.between(lastTold, Instant.now()).compareTo(PROGRESS_EVERY) >= 0) {
                progress.accept("waiting for " + what + ": ready at " + time + " (" + Durations.words(
                        Duration.between(Instant.now(), time)) + " left)…");
                lastTold = Instant.now();
            }
            sleep(Duration.ofMillis(Math.min(POLL.toMillis(),
                    Math.max(1, Duration.between(Instant.now(), time).toMillis()))));
        }
    }

    /**
     * Returns once the latest block is at or after {@code time}, so a transaction simulated against
     * it sees the time as come. A local automining chain makes blocks only for transactions, so
     * there one is mined ({@code evm_mine}); elsewhere the next block is waited for.
     */
    static void awaitBlockAt(Chain chain, Instant time, Consumer<String> progress) {
        boolean told = false;
        while (latestBlock(chain).isBefore(time)) {
            if (!Instant.now().isBefore(time) && chain.isDevChain()) {
                chain.send(new Request<>("evm_mine", List.of(), new HttpService(chain.rpcUrl()), VoidResponse.class));
                continue;
            }
            if (!told) {
                progress.accept("waiting for a block at or after " + time + "…");
                told = true;
            }
            sleep(POLL);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.peerkey.PeerkeyException("interrupted while waiting");
        }
    }
}
