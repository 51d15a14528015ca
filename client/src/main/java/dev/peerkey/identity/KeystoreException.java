package dev.peerkey.identity;

import java.util.Objects;

import dev.peerkey.PeerkeyException;

/**
 * A keystore file could not be used. The {@link Reason} lets callers react (ask for the
 * password again only on {@code WRONG_PASSWORD}); the message is for the user.
 */
public final class KeystoreException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The MAC did not verify: the password is wrong (or the ciphertext was altered). */
        WRONG_PASSWORD,
        /** The file is not a usable V3 keystore, or it holds a different key than its name says. */
        CORRUPT,
        /** There is no keystore file for the requested identity. */
        NOT_FOUND,
        /** The file system refused a read or write, or the file already exists. */
        IO
    }

    private final Reason reason;

    public KeystoreException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public KeystoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
