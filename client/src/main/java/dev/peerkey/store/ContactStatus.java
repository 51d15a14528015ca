package dev.peerkey.store;

/** How one of our identities treats a peer's handshake requests. Stored as the lower-case constant name. */
public enum ContactStatus {
    /** We authenticated to it or accepted its request: its requests are answered automatically. */
    CONTACT,
    /** Its requests and envelopes are ignored silently. */
    BLOCKED
}
