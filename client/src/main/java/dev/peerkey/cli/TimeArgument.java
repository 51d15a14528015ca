package dev.peerkey.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A point in time typed on the command line: an instant, a date-time with or without offset, or a date. */
final class TimeArgument {
    private TimeArgument() {}

    /** Reads TEXT; a time without an offset is UTC, a date alone is its first second (UTC). */
    static Instant parse(String option, String text) {
        String value = text.trim().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notADate) {
                    throw new UsageException(option + " '" + text + "' is not a date or time such as 2026-11-23,"
                            + " 2026-11-23T12:00 (UTC) or 2026-11-23T12:00:00+01:00");
                }
            }
        }
    }
}
