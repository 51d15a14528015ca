package dev.peerkey.transport;

import dev.peerkey.PeerkeyException;

/** The messenger contract is missing or misconfigured, or a node's answer about it is false. */
public class MessengerException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public MessengerException(String message) {
        super(message);
    }
}
