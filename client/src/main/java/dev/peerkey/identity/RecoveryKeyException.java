package dev.peerkey.identity;

import dev.peerkey.PeerkeyException;

/** Recovery words or a recovery file cannot be used. The message never contains the words. */
public final class RecoveryKeyException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public RecoveryKeyException(String message) {
        super(message);
    }

    public RecoveryKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
