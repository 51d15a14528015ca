package dev.peerkey.handshake;

/**
 * A sealed payload cannot be opened (it was sealed to another key, or altered) or its
 * contents are malformed.
 */
public final class SealedPayloadException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    public SealedPayloadException(String message) {
        super(message);
    }

    public SealedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
