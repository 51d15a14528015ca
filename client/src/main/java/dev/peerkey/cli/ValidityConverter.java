package dev.peerkey.cli;

import java.time.Duration;
import picocli.CommandLine;

/**
 * Parses {@code --valid-for} like any duration and refuses one beyond the registry's limit
 * ({@link KeyOptions#MAX_VALIDITY}) while the command line is read, before any RPC call.
 */
final class ValidityConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        Duration duration = new DurationConverter().convert(text);
        if (duration.compareTo(KeyOptions.MAX_VALIDITY) > 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is longer than the registry allows: a key"
                    + " may be valid for at most " + KeyOptions.MAX_VALIDITY.toDays() + " days (10 years)");
        }
        return duration;
    }
}
