package dev.peerkey.session;

/**
 * The envelope is too far ahead of the receiving chain: accepting it would mean deriving and
 * storing more skipped message keys than {@link DoubleRatchet#MAX_SKIP}.
 */
public final class MessageWindowException extends MessageRejectedException {
    private static final long serialVersionUID = 1L;

    public MessageWindowException(String message) {
        super(message);
    }
}
