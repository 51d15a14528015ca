package dev.peerkey.transport.direct;

import dev.peerkey.PeerkeyException;

/**
 * A failure of the direct TCP transport: nobody listens at the address, a connect or a reply
 * timed out, the connection dropped, or the peer sent bytes that are not a frame. The message
 * names the peer's address and the cause; it never contains frame bodies.
 */
public class DirectTransportException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public DirectTransportException(String message) {
        super(message);
    }

    public DirectTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
