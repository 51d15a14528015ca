package dev.peerkey.chain;

import dev.peerkey.PeerkeyException;

/** The chain node could not be reached, answered nonsense, or refused a transaction. */
public class ChainException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public ChainException(String message) {
        super(message);
    }

    public ChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
