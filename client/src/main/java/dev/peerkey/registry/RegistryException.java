package dev.peerkey.registry;

import dev.peerkey.PeerkeyException;

/** The registry refused an action, or its answer failed verification. */
public class RegistryException extends PeerkeyException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }
}
