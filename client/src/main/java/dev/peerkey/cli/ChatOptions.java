package dev.peerkey.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of the commands that talk to peers. */
final class ChatOptions {
    @Option(names = "--id", paramLabel = "ID", description = "Which identity of this profile speaks (default: the profile's default).")
    String identity;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to wait for a peer's handshake answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "How long a direct message waits for its acknowledgement before it goes through the"
                    + " mailbox instead (default: ${DEFAULT-VALUE}).")
    Duration ackTimeout;

    @Option(names = "--poll", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to read the mailbox while waiting (default: 25ms on a local development"
                    + " chain, 2s elsewhere).")
    Duration poll;
}
