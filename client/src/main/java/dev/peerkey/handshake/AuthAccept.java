package dev.peerkey.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import org.web3j.crypto.Hash;

/**
 * Step 2 of the handshake, responder to initiator, as the Messenger contract takes it
 * ({@code acceptAuth}) and its {@code AuthAccepted} event returns it: the signed fields, the
 * sealed payload and the responder's 65-byte signature over {@link HandshakeTypedData#AUTH_ACCEPT_TYPE}.
 * The responder's ephemeral key is also its first Double Ratchet key.
 *
 * <p>The sealed payload is {@link Ecies} to the initiator's current key with context
 * {@code "peerkey/auth-accept" || requestId || initiator || responder || ephemeralKey}, holding a
 * {@link Payload} with the responder's key-confirmation tag. Immutable; byte arrays are copied.
 */
public final class AuthAccept extends SignedStep {
    /** The contract's limit on a sealed payload. */
    public static final int MAX_SEALED_PAYLOAD_LENGTH = Steps.MAX_SEALED_PAYLOAD_LENGTH;

    private static final byte[] CONTEXT_LABEL = "peerkey/auth-accept".getBytes(StandardCharsets.US_ASCII);

    private final byte[] requestId;

    private AuthAccept(byte[] requestId, PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt,
            byte[] sealedPayload, byte[] signature) {
        super(initiator, responder, ephemeralKey, signedAt, sealedPayload, signature);
        this.requestId = requestId;
    }

    /** {@link #sign(HandshakeTypedData, AuthRequest, LocalIdentity, Peer, EphemeralKey, Instant, Payload, SecureRandom)} with a default SecureRandom. */
    public static AuthAccept sign(HandshakeTypedData domain, AuthRequest request, LocalIdentity responder,
            Peer initiator, EphemeralKey ephemeralKey, Instant signedAt, Payload payload) {
        return sign(domain, request, responder, initiator, ephemeralKey, signedAt, payload, Holder.RANDOM);
    }

    /**
     * Answers {@code request}: seals {@code payload} (which should carry the responder's
     * confirmation tag, see {@link KeySchedule}) to the initiator's current key and signs with the
     * responder's current key. {@link Handshake#accept} does all of this after verifying the request.
     *
     * @param signedAt truncated to whole seconds
     * @throws HandshakeException if the request names other parties or a value is out of range
     */
    public static AuthAccept sign(HandshakeTypedData domain, AuthRequest request, LocalIdentity responder,
            Peer initiator, EphemeralKey ephemeralKey, Instant signedAt, Payload payload, SecureRandom random) {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(ephemeralKey, "ephemeralKey");
        Objects.requireNonNull(payload, "payload");
        if (!request.responder().equals(responder.id())) {
            throw new HandshakeException("this auth request is addressed to another identity");
        }
        if (!request.initiator().equals(initiator.id())) {
            throw new HandshakeException("this auth request was sent by another identity than the given initiator");
        }
        byte[] id = request.requestId(domain);
        byte[] ephemeral = Steps.ephemeralKey(ephemeralKey.publicKey());
        long seconds = Steps.signedAt(signedAt);
        byte[] sealed = Steps.sealedPayload(Ecies.seal(initiator.currentKey(), payload.toBytes(),
                context(id, initiator.id(), responder.id(), ephemeral), random));
        byte[] digest = domain.authAcceptDigest(id, initiator.id(), responder.id(), ephemeral, seconds,
                Hash.sha3(sealed));
        byte[] signature = responder.key().signatureBytes(digest);
        return new AuthAccept(id, initiator.id(), responder.id(), ephemeral, seconds, sealed, signature);
    }

    /**
     * An accept as read from the chain (the {@code AuthAccepted} event or the transaction). Checks
     * only the form; call {@link #verify} and {@link #requireBoundTo} before trusting it.
     *
     * @param signedAt seconds since 1970, a uint40
     * @throws HandshakeException if a value is malformed or out of range
     */
    public static AuthAccept of(byte[] requestId, PeerId initiator, PeerId responder, byte[] ephemeralKey,
            long signedAt, byte[] sealedPayload, byte[] signature) {
        Steps.checkParties(initiator, responder);
        HandshakeTypedData.checkSignedAt(signedAt);
        return new AuthAccept(Steps.requestId(requestId), initiator, responder, Steps.ephemeralKey(ephemeralKey),
                signedAt, Steps.sealedPayload(sealedPayload), Steps.signature(signature));
    }

    public byte[] requestId() {
        return requestId.clone();
    }

    /** The EIP-712 digest the responder signed, in {@code domain}. */
    public byte[] digest(HandshakeTypedData domain) {
        Objects.requireNonNull(domain, "domain");
        return domain.authAcceptDigest(requestId, initiator, responder, ephemeralKey, signedAt, payloadHash);
    }

    @Override
    byte[] signedDigest(HandshakeTypedData domain) {
        return digest(domain);
    }

    @Override
    String label() {
        return "auth accept";
    }

    /**
     * Checks that this accept answers {@code request}: the same request ID (in {@code domain}),
     * initiator and responder.
     *
     * @throws UnboundAcceptException naming the field that differs
     */
    public void requireBoundTo(AuthRequest request, HandshakeTypedData domain) {
        Objects.requireNonNull(request, "request");
        if (!MessageDigest.isEqual(requestId, request.requestId(domain))) {
            throw new UnboundAcceptException("the auth accept answers another request (its request ID differs)");
        }
        if (!initiator.equals(request.initiator())) {
            throw new UnboundAcceptException("the auth accept names another initiator than the request");
        }
        if (!responder.equals(request.responder())) {
            throw new UnboundAcceptException("the auth accept names another responder than the request");
        }
    }

    /**
     * Opens the sealed payload with the initiator's current key.
     *
     * @throws SealedPayloadException if it was sealed to another key or for another accept, was
     *     altered, or its contents are malformed
     */
    public Payload open(IdentityKey initiatorKey) {
        return Payload.fromBytes(Ecies.open(initiatorKey, sealedPayload,
                context(requestId, initiator, responder, ephemeralKey)));
    }

    static byte[] context(byte[] requestId, PeerId initiator, PeerId responder, byte[] ephemeralKey) {
        return HandshakeCrypto.concat(CONTEXT_LABEL, requestId, initiator.bytes(), responder.bytes(), ephemeralKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthAccept other && Arrays.equals(requestId, other.requestId) && sameSignedFields(other);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(requestId), initiator, responder, signedAt, Arrays.hashCode(signature));
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
