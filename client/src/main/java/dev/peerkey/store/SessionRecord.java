package dev.peerkey.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.PeerId;

/**
 * One session with a peer as stored. {@code state} is the serialized ratchet (opaque here,
 * see {@code DoubleRatchet#toBytes}); it is secret and never printed. It may be null only
 * while the session is pending. Accessors return copies.
 *
 * @param sessionId the handshake's 32-byte request ID
 * @param endpoint the peer's direct-connection endpoint, or null
 */
public record SessionRecord(byte[] sessionId, PeerId ourId, PeerId peer, SessionStatus status,
        byte[] state, String endpoint, Instant createdAt, Instant updatedAt) {

    public SessionRecord {
        sessionId = Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID");
        Objects.requireNonNull(ourId, "ourId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(status, "status");
        state = Bytes.copyOrNull(state);
        if (state == null && status == SessionStatus.ESTABLISHED) {
            throw new IllegalArgumentException("an established session needs its ratchet state");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public byte[] state() {
        return Bytes.copyOrNull(state);
    }

    /** "0x" and the session ID in hex. */
    public String sessionHex() {
        return Bytes.hex(sessionId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionRecord r && Arrays.equals(sessionId, r.sessionId)
                && ourId.equals(r.ourId) && peer.equals(r.peer) && status == r.status
                && Arrays.equals(state, r.state) && Objects.equals(endpoint, r.endpoint)
                && createdAt.equals(r.createdAt) && updatedAt.equals(r.updatedAt);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sessionId);
    }

    @Override
    public String toString() {
        return "SessionRecord[" + sessionHex() + ", peer=" + peer + ", " + status + "]";
    }
}
