package dev.peerkey.store;

/** Where a session stands. Stored as the lower-case constant name. */
public enum SessionStatus {
    /** We sent a handshake request and wait for the answer. */
    PENDING_OUTGOING,
    /** A peer's request arrived and we have not answered yet. */
    PENDING_INCOMING,
    /** Keys agreed and confirmed; at most one per (our ID, peer ID). */
    ESTABLISHED,
    /** Ended or superseded by a newer established session. */
    CLOSED,
    /** The peer's identity or key was revoked on chain. */
    REVOKED
}
