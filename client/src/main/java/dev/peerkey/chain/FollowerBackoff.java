package dev.peerkey.chain;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a follower (listen, inbox --follow, chat's incoming messages) waits out a failing node:
 * exponential backoff from 1 s to 1 min, or the node's own Retry-After when it gave one; it
 * says once that the node is failing and once that it recovered, not once per attempt.
 */
public final class FollowerBackoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(1);

    private final Consumer<String> say;
    private Duration next = FIRST;
    private boolean failing;

    /** @param say where the two notices go (a progress line) */
    public FollowerBackoff(Consumer<String> say) {
        this.say = say;
    }

    /** After a pass that worked: says that the node recovered if it had failed, and resets the delay. */
    public void succeeded() {
        if (failing) {
            say.accept("the chain node answers again; following resumes");
        }
        failing = false;
        next = FIRST;
    }

    /**
     * After a pass that failed: says so the first time, and returns how long to wait before the
     * next pass: the node's Retry-After if it gave one, else the next step of the backoff.
     */
    public Duration failed(RuntimeException failure) {
        if (!failing) {
            say.accept("warning: " + failure.getMessage() + " (retrying with backoff; you are told when it"
                    + " recovers. A local Anvil or Ganache chain resumed with `peerkey chain start` is found again;"
                    + " if the chain was replaced by a new one, stop this command and run it again)");
        }
        failing = true;
        Duration backoff = next;
        next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
        if (failure instanceof NodeUnavailableException unavailable && unavailable.retryAfter().isPresent()) {
            return unavailable.retryAfter().get();
        }
        return backoff;
    }

    /** Whether the last pass failed. */
    public boolean failing() {
        return failing;
    }

    /** Sleeps for {@code delay}; false if interrupted (the interrupt flag is set again). */
    public static boolean sleep(Duration delay) {
        try {
            Thread.sleep(delay);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
