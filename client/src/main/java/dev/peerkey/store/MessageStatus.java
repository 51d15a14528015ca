package dev.peerkey.store;

/**
 * Delivery state of a message. Outgoing messages go QUEUED → SENT → DELIVERED (acknowledged by
 * the peer), or to FAILED when the sender gives up, or to CANCELLED when the user drops a
 * message that has not left; incoming messages are always RECEIVED. Stored as the lower-case
 * constant name, except CANCELLED (see there).
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
    /**
     * The user cancelled it before it left ({@code peerkey cancel}); it is never sent. Stored as
     * {@code failed} with a cancellation time, so the table's status check stays as it was.
     */
    CANCELLED,
    /** An incoming message, stored exactly once. */
    RECEIVED
}
