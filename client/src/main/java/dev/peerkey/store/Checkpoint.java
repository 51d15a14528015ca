package dev.peerkey.store;

import java.util.Arrays;
import java.util.HexFormat;

/** A block a chain follower's cursor stood on, with the hash the block had then. */
public record Checkpoint(long block, byte[] hash) {
    public Checkpoint {
        if (block < 0) {
            throw new IllegalArgumentException("block must not be negative");
        }
        hash = Bytes.exact(hash, 32, "block hash");
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** Whether {@code other} is this block's hash. */
    public boolean hashIs(byte[] other) {
        return Arrays.equals(hash, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.block == block && Arrays.equals(c.hash, hash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(block) * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "Checkpoint[block=" + block + ", hash=0x" + HexFormat.of().formatHex(hash) + "]";
    }
}
