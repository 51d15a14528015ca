package dev.peerkey.session;

/**
 * The envelope does not authenticate under this session: it was altered in transit, forged,
 * or meant for another session (different keys or associated data).
 */
public final class TamperedMessageException extends MessageRejectedException {
    private static final long serialVersionUID = 1L;

    public TamperedMessageException(String message) {
        super(message);
    }

    public TamperedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
