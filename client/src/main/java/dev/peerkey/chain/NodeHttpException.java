package dev.peerkey.chain;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A non-2xx HTTP answer from the node (429, 5xx, a proxy's HTML error page), raised by
 * {@link HttpStatusCheck} inside OkHttp so that web3j sees an I/O error, not a parse error.
 */
final class NodeHttpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String rpcUrl;
    private final int status;
    private final transient Duration retryAfter;

    NodeHttpException(String rpcUrl, int status, String reason, Duration retryAfterOrNull) {
        super("HTTP " + status + (reason == null || reason.isBlank() ? "" : " " + reason));
        this.rpcUrl = rpcUrl;
        this.status = status;
        this.retryAfter = retryAfterOrNull;
    }

    String rpcUrl() {
        return rpcUrl;
    }

    int status() {
        return status;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
