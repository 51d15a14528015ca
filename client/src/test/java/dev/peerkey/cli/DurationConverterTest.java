package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `--timeout 60` is 60 seconds; units and ISO-8601 as before; nonsense and zero refused. */
class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @Test
    void aBareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(60), converter.convert("60"));
        assertEquals(Duration.ofSeconds(60), converter.convert("60s"));
    }

    @Test
    void unitsAndIsoDurations() {
        assertEquals(Duration.ofMillis(250), converter.convert("250ms"));
        assertEquals(Duration.ofMinutes(30), converter.convert("30m"));
        assertEquals(Duration.ofHours(12), converter.convert("12H"));
        assertEquals(Duration.ofDays(365), converter.convert("365d"));
        assertEquals(Duration.ofDays(30), converter.convert("P30D"));
    }

    @Test
    void nonsenseAndZeroAreRefused() {
        CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class,
                () -> converter.convert("soon"));
        assertTrue(e.getMessage().contains("is not a duration (examples: 60 or 60s"), e.getMessage());
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("0"));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("-5s"));
    }
}
