package dev.peerkey.chain;

import java.time.Duration;
import java.util.Optional;

/**
 * The node answered with an HTTP error status (rate limited, overloaded, down behind a proxy):
 * an I/O failure that may pass. Commands report it as one line; followers retry after
 * {@link #retryAfter()} when the node said how long to wait, else with exponential backoff.
 */
public final class NodeUnavailableException extends ChainException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration retryAfter;

    NodeUnavailableException(NodeHttpException cause) {
        super("chain node at " + cause.rpcUrl() + " answered " + cause.getMessage()
                + cause.retryAfter().map(d -> " (it asks to retry after " + d.toSeconds() + " s)").orElse("")
                + (cause.status() == 429 ? ": the node limits requests; try again later or use another --rpc"
                        : ": the node or a proxy in front of it is failing; try again later or use another --rpc"),
                cause);
        this.status = cause.status();
        this.retryAfter = cause.retryAfter().orElse(null);
    }

    /** The HTTP status, e.g. 429 or 503. */
    public int status() {
        return status;
    }

    /** How long the node asked to wait (its Retry-After header), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
