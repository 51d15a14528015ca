package dev.peerkey.session;

/**
 * An incoming envelope was refused. Whatever the subclass, the session state is exactly
 * as it was before the call, so the caller can drop the envelope and go on.
 */
public abstract sealed class MessageRejectedException extends SessionException
        permits TamperedMessageException, ReplayedMessageException, MalformedEnvelopeException,
        MessageWindowException {
    private static final long serialVersionUID = 1L;

    MessageRejectedException(String message) {
        super(message);
    }

    MessageRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
