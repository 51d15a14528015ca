package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeArgumentTest {
    @Test
    void readsInstantsDatesAndTimes() {
        assertEquals(Instant.parse("2026-11-23T12:00:00Z"), TimeArgument.parse("--at", "2026-11-23T12:00:00Z"));
        assertEquals(Instant.parse("2026-11-23T11:00:00Z"), TimeArgument.parse("--at", "2026-11-23T12:00:00+01:00"));
        assertEquals(Instant.parse("2026-11-23T12:00:00Z"), TimeArgument.parse("--at", "2026-11-23T12:00"));
        assertEquals(Instant.parse("2026-11-23T12:00:00Z"), TimeArgument.parse("--at", "2026-11-23 12:00"));
        assertEquals(Instant.parse("2026-11-23T00:00:00Z"), TimeArgument.parse("--at", "2026-11-23"));
    }

    @Test
    void anythingElseIsAUsageErrorNamingTheOption() {
        UsageException e = assertThrows(UsageException.class, () -> TimeArgument.parse("--at", "yesterday"));
        assertEquals("--at 'yesterday' is not a date or time such as 2026-11-23, 2026-11-23T12:00 (UTC) or"
                + " 2026-11-23T12:00:00+01:00", e.getMessage());
        assertThrows(UsageException.class, () -> TimeArgument.parse("--at", "2026-13-01"));
    }
}
