package dev.peerkey.handshake;

import java.util.List;
import java.util.Objects;

/**
 * The responder's result of {@link Handshake#accept}: the signed accept to submit to the
 * Messenger contract, the session keys (with the initiator's endpoint, if it sent one), and the
 * first messages the request carried (oldest first; empty if none).
 */
public record Acceptance(AuthAccept accept, SessionKeys keys, List<FirstMessage> messages) {
    public Acceptance {
        Objects.requireNonNull(accept, "accept");
        Objects.requireNonNull(keys, "keys");
        messages = List.copyOf(messages);
    }

    public Acceptance(AuthAccept accept, SessionKeys keys) {
        this(accept, keys, List.of());
    }
}
