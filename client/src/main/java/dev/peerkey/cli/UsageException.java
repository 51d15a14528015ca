package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;

/**
 * An argument that is malformed whatever the chain says (a peer that is no ID, name or address,
 * a time that is no time, an unknown transport): one `error:` line and exit code 2, as for any
 * other invalid command line.
 */
final class UsageException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
