package dev.peerkey.store;

/**
 * Delivery state of a message. Outgoing messages go QUEUED → SENT → DELIVERED (acknowledged by
 * the peer), or to FAILED when the sender gives up; incoming messages are always RECEIVED.
 * Stored as the lower-case constant name.
 */
public enum MessageStatus {
    /** Stored with its envelope, not yet handed to a transport. */
    QUEUED,
    /** Handed to a transport; no acknowledgement yet. */
    SENT,
    /** The peer acknowledged it. Final. */
    DELIVERED,
    /** The sender gave up; an acknowledgement may still arrive and mark it delivered. */
    FAILED,
    /** An incoming message, stored exactly once. */
    RECEIVED
}
