package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What public providers answer: Retry-After, range errors, URL spellings, and the followers' backoff. */
class RpcProviderErrorsTest {
    private static final Instant NOW = Instant.parse("2015-10-21T07:27:30Z");

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), HttpStatusCheck.retryAfter("7", NOW));
        assertEquals(Duration.ofSeconds(30), HttpStatusCheck.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW));
        assertEquals(Duration.ZERO, HttpStatusCheck.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", NOW), "in the past");
        assertEquals(HttpStatusCheck.MAX_RETRY_AFTER, HttpStatusCheck.retryAfter("86400", NOW), "capped");
        assertNull(HttpStatusCheck.retryAfter(null, NOW));
        assertNull(HttpStatusCheck.retryAfter("soon", NOW));
    }

    @Test
    void recognisesProvidersRangeAndResultErrors() {
        for (String message : List.of("block range too large", "exceed maximum block range: 5000",
                "query returned more than 10000 results",
                "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
                "range too large, max 1000", "eth_getLogs is limited to a 10,000 range",
                "block range is too wide", "query exceeds max block range 100000")) {
            assertTrue(LogPager.isTooLarge(-32602, message), message);
            assertTrue(LogPager.isTooLarge(-32000, message), message);
        }
        assertTrue(LogPager.isTooLarge(-32005, "limit exceeded"));
        assertTrue(LogPager.isTooLarge(-32005, "something unexpected"), "-32005 is the limit code");
        assertFalse(LogPager.isTooLarge(-32005, "daily request count exceeded, request rate limited"),
                "a rate limit is not a range problem");
        assertFalse(LogPager.isTooLarge(-32602, "invalid argument 0: hex string without 0x prefix"));
        assertFalse(LogPager.isTooLarge(-32000, "header not found"));
    }

    @Test
    void readsTheRangeAProviderSuggests() {
        assertEquals(Optional.of(0x1000L), LogPager.hinted("Log response size exceeded. Based on your parameters,"
                + " this block range should work: [0x1000, 0x1fff]"));
        assertEquals(Optional.empty(), LogPager.hinted("block range too large"));
    }

    @Test
    void urlSpellingsOfOneEndpointAreTheSame() {
        assertTrue(Chain.sameUrl("http://127.0.0.1:8545/", "http://127.0.0.1:8545"));
        assertTrue(Chain.sameUrl("http://localhost:8545", "http://127.0.0.1:8545/"));
        assertTrue(Chain.sameUrl("HTTP://LocalHost:8545", "http://[::1]:8545"));
        assertTrue(Chain.sameUrl("https://rpc.example.org/v1/", "https://rpc.example.org:443/v1"));
        assertFalse(Chain.sameUrl("http://127.0.0.1:8545", "http://127.0.0.1:8546"));
        assertFalse(Chain.sameUrl("https://rpc.example.org/v1/a", "https://rpc.example.org/v1/b"));
        assertFalse(Chain.sameUrl("http://127.0.0.1:8545", null));
    }

    @Test
    void followersBackOffExponentiallyHonourRetryAfterAndSaySoOnce() {
        List<String> said = new ArrayList<>();
        FollowerBackoff backoff = new FollowerBackoff(said::add);
        ChainException down = new ChainException("chain node at http://x failed: connection reset");
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waits.add(backoff.failed(down));
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L), waits.stream().map(Duration::toSeconds).toList());
        NodeUnavailableException limited = new NodeUnavailableException(
                new NodeHttpException("http://x", 429, "Too Many Requests", Duration.ofSeconds(5)));
        assertEquals(Duration.ofSeconds(5), backoff.failed(limited), "the node's Retry-After");
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).startsWith("warning: chain node at http://x failed"), said::toString);
        backoff.succeeded();
        backoff.succeeded();
        assertEquals(2, said.size(), said::toString);
        assertEquals("the chain node answers again; following resumes", said.get(1));
        assertEquals(Duration.ofSeconds(1), backoff.failed(down), "the backoff starts over");
        assertTrue(limited.getMessage().contains("answered HTTP 429 Too Many Requests (it asks to retry after 5 s)"),
                limited.getMessage());
    }
}
