package dev.peerkey.store;

import dev.peerkey.PeerkeyException;

/**
 * The local database could not do what was asked: it is locked by another process for too
 * long, full, corrupt, written by a newer client, or a row the caller named does not exist.
 * The message names the cause and never contains message bodies or key material.
 */
public class StoreException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
