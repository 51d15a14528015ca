package dev.peerkey.handshake;

/**
 * A handshake step's signature is malformed or was not made by the key expected for its
 * signer (the signer's current key as verified from the registry): the step is forged, or
 * the node that delivered it lied.
 */
public final class WrongSignerException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    public WrongSignerException(String message) {
        super(message);
    }

    public WrongSignerException(String message, Throwable cause) {
        super(message, cause);
    }
}
