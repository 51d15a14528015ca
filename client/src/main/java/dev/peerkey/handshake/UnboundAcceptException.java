package dev.peerkey.handshake;

/**
 * An accept answers another request: its request ID, initiator or responder differs from the
 * request it was matched with.
 */
public final class UnboundAcceptException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    public UnboundAcceptException(String message) {
        super(message);
    }
}
