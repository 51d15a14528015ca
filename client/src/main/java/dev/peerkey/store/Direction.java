package dev.peerkey.store;

/** Whether we sent a message or received it. Stored as "in" / "out". */
public enum Direction {
    IN,
    OUT
}
