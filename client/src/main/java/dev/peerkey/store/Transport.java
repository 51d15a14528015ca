package dev.peerkey.store;

/** Which transport carried a message. Stored as the lower-case constant name. */
public enum Transport {
    /** The on-chain mailbox. */
    CHAIN,
    /** A direct TCP connection. */
    DIRECT
}
