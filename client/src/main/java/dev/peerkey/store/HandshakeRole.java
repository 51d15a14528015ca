package dev.peerkey.store;

/** Our side in a pending handshake. Stored as the lower-case constant name. */
public enum HandshakeRole {
    INITIATOR,
    RESPONDER
}
