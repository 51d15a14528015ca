package dev.peerkey.transport.direct;

/**
 * The connection closed where a frame was due: mid-frame, before the reply to an exchange,
 * or because this side closed it. Whether the peer handled the last envelope is unknown.
 */
public final class ConnectionClosedException extends DirectTransportException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }

    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
