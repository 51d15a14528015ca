package dev.peerkey.session;

import dev.peerkey.PeerkeyException;

/**
 * A failure of an encrypted session: a rejected message, a stored state that cannot be
 * read, or a call the session cannot honour yet. Messages never contain key material.
 */
public class SessionException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public SessionException(String message) {
        super(message);
    }

    public SessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
