package dev.peerkey.cli;

import dev.peerkey.registry.Registry;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/** Which of the profile's identities a command acts for, and how long a new key stays valid. */
final class KeyOptions {
    /** The longest validity the registry accepts. */
    static final Duration MAX_VALIDITY = Registry.MAX_VALIDITY;

    @Option(names = "--id", paramLabel = "ID", description = "Which identity (default: the profile's default).")
    String identity;

    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = "365d",
            converter = ValidityConverter.class,
            description = "How long the key stays valid (e.g. 365d, 12h; at most 3650d; default: ${DEFAULT-VALUE}).")
    Duration validFor;

    Instant validUntil() {
        return Instant.now().plus(validFor);
    }
}
