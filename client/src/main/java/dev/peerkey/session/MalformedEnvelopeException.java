package dev.peerkey.session;

/** The bytes are not an envelope this client can read: truncated, or an unsupported version. */
public final class MalformedEnvelopeException extends MessageRejectedException {
    private static final long serialVersionUID = 1L;

    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
