package dev.peerkey.store;

/** What a stored message carries. Stored as the lower-case constant name. */
public enum MessageKind {
    /** A chat message: shown to the user. */
    TEXT,
    /** The initiator's key confirmation, the first message of every session it starts. */
    CONFIRM,
    /** An update of our direct-connection endpoint for the peer. */
    ENDPOINT
}
