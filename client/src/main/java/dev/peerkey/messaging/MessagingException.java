package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;

/** A chat operation failed or an incoming envelope was refused; the message says why. */
public class MessagingException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public MessagingException(String message) {
        super(message);
    }

    public MessagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
