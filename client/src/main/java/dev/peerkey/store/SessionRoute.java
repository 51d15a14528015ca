package dev.peerkey.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * How a session's envelopes are addressed, and what it still waits for. Accessors return copies.
 *
 * @param inboxTag the 32-byte tag envelopes to us carry (mailbox topic and direct-frame tag)
 * @param outboxTag the 32-byte tag of envelopes to the peer
 * @param confirmation the initiator's key-confirmation tag the responder still waits for, or
 *     null once confirmed (always null on the initiator's side)
 * @param advertised the endpoint we last sent the peer, or null
 */
public record SessionRoute(byte[] sessionId, byte[] inboxTag, byte[] outboxTag, byte[] confirmation,
        String advertised) {

    public SessionRoute {
        sessionId = Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID");
        inboxTag = Bytes.exact(inboxTag, Bytes.ID_LENGTH, "inbox tag");
        outboxTag = Bytes.exact(outboxTag, Bytes.ID_LENGTH, "outbox tag");
        confirmation = confirmation == null ? null : Bytes.exact(confirmation, Bytes.ID_LENGTH, "confirmation");
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public byte[] inboxTag() {
        return inboxTag.clone();
    }

    @Override
    public byte[] outboxTag() {
        return outboxTag.clone();
    }

    public Optional<byte[]> pendingConfirmation() {
        return Optional.ofNullable(Bytes.copyOrNull(confirmation));
    }

    @Override
    public byte[] confirmation() {
        return Bytes.copyOrNull(confirmation);
    }

    public boolean confirmed() {
        return confirmation == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionRoute r && Arrays.equals(sessionId, r.sessionId)
                && Arrays.equals(inboxTag, r.inboxTag) && Arrays.equals(outboxTag, r.outboxTag)
                && Arrays.equals(confirmation, r.confirmation) && Objects.equals(advertised, r.advertised);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sessionId);
    }

    @Override
    public String toString() {
        return "SessionRoute[" + Bytes.hex(sessionId) + (confirmed() ? "" : ", awaiting confirmation") + "]";
    }
}
