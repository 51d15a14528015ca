package dev.peerkey;

/**
 * A failure the user can act on. The message is one clear sentence that names the
 * cause; it never contains key material. Every layer throws a subclass of this, and
 * the CLI prints the message and exits non-zero.
 */
public class PeerkeyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PeerkeyException(String message) {
        super(message);
    }

    public PeerkeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
