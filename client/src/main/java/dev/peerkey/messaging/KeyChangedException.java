package dev.peerkey.messaging;

/**
 * The peer's registry key is not the one a session was made with, or not the one the user
 * accepted: nothing goes out, nothing comes in on that session, and the message tells the user
 * what to check and run.
 */
public final class KeyChangedException extends MessagingException {
    private static final long serialVersionUID = 1L;

    KeyChangedException(String message) {
        super(message);
    }
}
