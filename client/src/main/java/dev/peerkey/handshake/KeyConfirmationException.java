package dev.peerkey.handshake;

/**
 * The peer's key-confirmation tag is missing or wrong: the peer did not derive the same
 * session keys, so they must not be used.
 */
public final class KeyConfirmationException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    public KeyConfirmationException(String message) {
        super(message);
    }
}
