package dev.peerkey.transport;

import java.util.Optional;

/** State of a handshake request on the Messenger, as its {@code requestStatus} view reports it. */
public enum RequestStatus {
    /** No request with this ID was ever submitted. */
    NONE,
    /** Submitted and waiting for the responder's accept. */
    PENDING,
    /** Answered by the responder. */
    ACCEPTED;

    /** The contract's {@code RequestStatus} value, in the same order; empty if out of range. */
    static Optional<RequestStatus> fromContract(int value) {
        RequestStatus[] all = values();
        return value >= 0 && value < all.length ? Optional.of(all[value]) : Optional.empty();
    }
}
