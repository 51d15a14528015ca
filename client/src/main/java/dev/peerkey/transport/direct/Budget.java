package dev.peerkey.transport.direct;

/**
 * A token bucket: holds up to {@code burst} tokens, refills at {@code perSecond}, and a taker
 * gets tokens only while enough are there. Thread-safe; times are {@link System#nanoTime()}
 * readings passed in, so tests choose them.
 */
final class Budget {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    Budget(double perSecond, double burst, long now) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    /** Takes {@code n} tokens if there are that many; false (and takes none) otherwise. */
    synchronized boolean take(double n, long now) {
        refill(now);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Whether at least one token is there. */
    synchronized boolean any(long now) {
        refill(now);
        return tokens >= 1;
    }

    /** Whether the bucket is full again: forgetting it would give its owner nothing new. */
    synchronized boolean full(long now) {
        refill(now);
        return tokens >= burst;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            last = now;
        }
    }
}
