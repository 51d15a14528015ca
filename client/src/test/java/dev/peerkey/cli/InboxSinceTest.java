package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What `inbox --since` accepts: a duration back from now, or a date or time. */
class InboxSinceTest {
    private static final Instant NOW = Instant.parse("2026-12-07T16:00:00Z");

    @Test
    void aDurationCountsBackFromNow() {
        assertEquals(NOW.minus(Duration.ofHours(2)), InboxCommand.parseSince("2h", NOW));
        assertEquals(NOW.minus(Duration.ofDays(3)), InboxCommand.parseSince("3d", NOW));
        assertEquals(NOW.minus(Duration.ofMinutes(90)), InboxCommand.parseSince(" 90m ", NOW));
        assertEquals(NOW.minus(Duration.ofSeconds(60)), InboxCommand.parseSince("60", NOW), "bare seconds");
        assertEquals(NOW.minus(Duration.ofDays(1)), InboxCommand.parseSince("P1D", NOW));
    }

    @Test
    void aDateOrTimeIsReadAsAtReadsIt() {
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), InboxCommand.parseSince("2026-12-01", NOW));
        assertEquals(Instant.parse("2026-12-01T09:30:00Z"), InboxCommand.parseSince("2026-12-01T09:30", NOW));
        assertEquals(Instant.parse("2026-12-01T09:30:00Z"), InboxCommand.parseSince("2026-12-01 09:30", NOW));
        assertEquals(Instant.parse("2026-12-01T09:30:00Z"), InboxCommand.parseSince("2026-12-01T09:30:00Z", NOW));
        assertEquals(Instant.parse("2026-12-01T07:30:00Z"), InboxCommand.parseSince("2026-12-01T09:30:00+02:00", NOW));
    }

    @Test
    void anythingElseIsAUsageError() {
        for (String bad : new String[] {"yesterday", "2h30", "-2h", "0s", "2026-13-01", "2026-12-01T25:00", ""}) {
            UsageException e = assertThrows(UsageException.class, () -> InboxCommand.parseSince(bad, NOW), bad);
            assertTrue(e.getMessage().startsWith("--since '" + bad + "' is neither a duration"), e.getMessage());
        }
    }
}
