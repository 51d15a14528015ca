package dev.peerkey.chain;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * An OkHttp interceptor that turns every non-2xx answer into a {@link NodeHttpException}
 * carrying the status and the Retry-After delay. The body (often an HTML page) is dropped
 * unread: it is not JSON-RPC, and a proxy's words do not belong in the user's error line.
 */
final class HttpStatusCheck implements Interceptor {
    /** Longer Retry-After values are capped: a follower checks again at least this often. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    private final String rpcUrl;

    HttpStatusCheck(String rpcUrl) {
        this.rpcUrl = rpcUrl;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        if (response.isSuccessful()) {
            return response;
        }
        int status = response.code();
        String reason = printable(response.message());
        Duration retryAfter = retryAfter(response.header("Retry-After"), Instant.now());
        response.close();
        throw new NodeHttpException(rpcUrl, status, reason, retryAfter);
    }

    /**
     * Parses a Retry-After header: delay seconds or an HTTP-date; null when absent or unreadable.
     * The delay is at least 0 and at most {@link #MAX_RETRY_AFTER}.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        Duration delay;
        if (value.matches("[0-9]{1,10}")) {
            delay = Duration.ofSeconds(Long.parseLong(value));
        } else {
            try {
                delay = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (delay.isNegative()) {
            return Duration.ZERO;
        }
        return delay.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay;
    }

    /** The status line's reason phrase, if it is short plain text. */
    private static String printable(String reason) {
        return reason != null && reason.matches("[A-Za-z0-9 '\\-]{1,40}") ? reason : "";
    }
}
