package dev.peerkey.handshake;

import dev.peerkey.PeerkeyException;

/**
 * A handshake step was refused: a malformed value, a request addressed to someone else, a
 * low-order ephemeral key, or one of the specific failures that extend this class. Messages
 * never contain key material.
 */
public class HandshakeException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
