package dev.peerkey.session;

/**
 * The envelope names a message whose key is gone: it was already decrypted (a replay or a
 * duplicate delivery), or it was skipped so long ago that its stored key was discarded.
 */
public final class ReplayedMessageException extends MessageRejectedException {
    private static final long serialVersionUID = 1L;

    public ReplayedMessageException(String message) {
        super(message);
    }
}
