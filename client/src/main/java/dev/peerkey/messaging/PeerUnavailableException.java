package dev.peerkey.messaging;

/** The peer is not registered, or its identity is revoked or expired: no session with it is possible. */
public final class PeerUnavailableException extends MessagingException {
    private static final long serialVersionUID = 1L;

    PeerUnavailableException(String message) {
        super(message);
    }
}
