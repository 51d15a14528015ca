package dev.peerkey.transport.direct;

/**
 * The bytes are not a frame this client reads or writes: a length over the maximum or too
 * short for a tag, another version, an unknown kind, a tag that is not 32 bytes, or a body
 * over its limit.
 */
public final class MalformedFrameException extends DirectTransportException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
