package dev.peerkey.identity;

import dev.peerkey.PeerkeyException;

/** A public key, peer ID, display name or address given to us is not well formed. */
public final class MalformedKeyException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public MalformedKeyException(String message) {
        super(message);
    }

    public MalformedKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
