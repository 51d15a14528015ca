package dev.peerkey.cli;

import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/** Which of the profile's identities a command acts for, and how long a new key stays valid. */
final class KeyOptions {
    @Option(names = "--id", paramLabel = "ID", description = "Which identity (default: the profile's default).")
    String identity;

    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = "365d",
            converter = DurationConverter.class,
            description = "How long the key stays valid (e.g. 365d, 12h; default: ${DEFAULT-VALUE}).")
    Duration validFor;

    Instant validUntil() {
        return Instant.now().plus(validFor);
    }
}
