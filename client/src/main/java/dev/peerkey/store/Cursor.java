package dev.peerkey.store;

import java.util.Objects;

/**
 * How far a chain follower has processed: the last handled log is {@code logIndex} in block
 * {@code block}. Named, e.g. {@code "chain:mailbox:<registry address>"}.
 */
public record Cursor(String name, long block, long logIndex) {
    public Cursor {
        Objects.requireNonNull(name, "name");
        if (block < 0 || logIndex < 0) {
            throw new IllegalArgumentException("block and log index must not be negative");
        }
    }
}
