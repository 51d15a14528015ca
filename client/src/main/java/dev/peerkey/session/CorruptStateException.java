package dev.peerkey.session;

/** Stored session state cannot be read: it is damaged, truncated, or from an unknown version. */
public final class CorruptStateException extends SessionException {
    private static final long serialVersionUID = 1L;

    public CorruptStateException(String message) {
        super(message);
    }
}
