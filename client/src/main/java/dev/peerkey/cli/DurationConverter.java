package dev.peerkey.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations such as {@code 365d}, {@code 12h}, {@code 30m}, {@code 90s}, {@code 250ms} or ISO-8601
 * {@code P30D}; a bare number is seconds ({@code --timeout 60}).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|[dhms])?");

    @Override
    public Duration convert(String text) {
        Matcher m = SHORT.matcher(text.trim().toLowerCase());
        Duration duration;
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                duration = switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "ms" -> Duration.ofMillis(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (ArithmeticException | NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is too long a duration");
            }
        } else {
            try {
                duration = Duration.parse(text);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + text + "' is not a duration (examples: 60 or 60s, 30m, 12h, 365d, 250ms, P30D)");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new CommandLine.TypeConversionException("duration must be positive, got '" + text + "'");
        }
        return duration;
    }
}
