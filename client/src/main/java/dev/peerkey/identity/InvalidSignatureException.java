package dev.peerkey.identity;

import dev.peerkey.PeerkeyException;

/** A signature is malformed, not canonical (high s), or does not recover to a public key. */
public final class InvalidSignatureException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public InvalidSignatureException(String message) {
        super(message);
    }

    public InvalidSignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
