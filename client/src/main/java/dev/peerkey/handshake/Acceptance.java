package dev.peerkey.handshake;

import java.util.Objects;

/**
 * The responder's result of {@link Handshake#accept}: the signed accept to submit to the
 * Messenger contract, and the session keys (with the initiator's endpoint, if it sent one).
 */
public record Acceptance(AuthAccept accept, SessionKeys keys) {
    public Acceptance {
        Objects.requireNonNull(accept, "accept");
        Objects.requireNonNull(keys, "keys");
    }
}
