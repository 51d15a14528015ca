package dev.peerkey.handshake;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The initiator's state between {@link Handshake#start} and {@link Handshake#finish}: the
 * request it sent, the identities, and the ephemeral key whose private half finishes the
 * handshake. To survive a restart, store the request's fields and
 * {@link EphemeralKey#privateKey()} (secret) and rebuild with {@link #of}. Never prints the key.
 */
public final class PendingHandshake {
    private final LocalIdentity initiator;
    private final Peer responder;
    private final AuthRequest request;
    private final EphemeralKey ephemeralKey;

    private PendingHandshake(LocalIdentity initiator, Peer responder, AuthRequest request,
            EphemeralKey ephemeralKey) {
        this.initiator = initiator;
        this.responder = responder;
        this.request = request;
        this.ephemeralKey = ephemeralKey;
    }

    /**
     * @throws HandshakeException if the request was not made by {@code initiator} to
     *     {@code responder} with {@code ephemeralKey}
     */
    public static PendingHandshake of(LocalIdentity initiator, Peer responder, AuthRequest request,
            EphemeralKey ephemeralKey) {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(ephemeralKey, "ephemeralKey");
        if (!request.initiator().equals(initiator.id()) || !request.responder().equals(responder.id())) {
            throw new HandshakeException("the auth request names other parties than this pending handshake");
        }
        if (!MessageDigest.isEqual(request.ephemeralKey(), ephemeralKey.publicKey())) {
            throw new HandshakeException("the ephemeral key does not belong to this auth request");
        }
        return new PendingHandshake(initiator, responder, request, ephemeralKey);
    }

    public LocalIdentity initiator() {
        return initiator;
    }

    public Peer responder() {
        return responder;
    }

    /** The request to submit to the Messenger contract. */
    public AuthRequest request() {
        return request;
    }

    /** The initiator's ephemeral key (holds the secret half). */
    public EphemeralKey ephemeralKey() {
        return ephemeralKey;
    }

    @Override
    public String toString() {
        return "PendingHandshake[initiator=" + initiator.id().hex() + ", responder=" + responder.id().hex() + "]";
    }
}
