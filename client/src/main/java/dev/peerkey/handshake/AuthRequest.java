package dev.peerkey.handshake;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import org.web3j.crypto.Hash;

/**
 * Step 1 of the handshake, initiator to responder, exactly as the Messenger contract takes it
 * ({@code requestAuth}) and its {@code AuthRequested} event returns it: the signed fields, the
 * sealed payload and the initiator's 65-byte signature over
 * {@link HandshakeTypedData#AUTH_REQUEST_TYPE}. {@code payloadHash} = keccak256(sealedPayload).
 *
 * <p>The sealed payload is {@link Ecies} to the responder's current key with context
 * {@code "peerkey/auth-request" || initiator || responder || ephemeralKey}, holding a
 * {@link Payload}. Immutable; all byte arrays are copied in and out.
 */
public final class AuthRequest extends SignedStep {
    /** The contract's limit on a sealed payload. */
    public static final int MAX_SEALED_PAYLOAD_LENGTH = Steps.MAX_SEALED_PAYLOAD_LENGTH;

    private static final byte[] CONTEXT_LABEL = "peerkey/auth-request".getBytes(StandardCharsets.US_ASCII);

    private AuthRequest(PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt,
            byte[] sealedPayload, byte[] signature) {
        super(initiator, responder, ephemeralKey, signedAt, sealedPayload, signature);
    }

    /** {@link #sign(HandshakeTypedData, LocalIdentity, Peer, EphemeralKey, Instant, Payload, SecureRandom)} with a default SecureRandom. */
    public static AuthRequest sign(HandshakeTypedData domain, LocalIdentity initiator, Peer responder,
            EphemeralKey ephemeralKey, Instant signedAt, Payload payload) {
        return sign(domain, initiator, responder, ephemeralKey, signedAt, payload, Holder.RANDOM);
    }

    /**
     * Seals {@code payload} to the responder's current key and signs the request with the
     * initiator's current key.
     *
     * @param signedAt truncated to whole seconds
     * @throws HandshakeException if the parties are the same or a value is out of range
     */
    public static AuthRequest sign(HandshakeTypedData domain, LocalIdentity initiator, Peer responder,
            EphemeralKey ephemeralKey, Instant signedAt, Payload payload, SecureRandom random) {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(ephemeralKey, "ephemeralKey");
        Objects.requireNonNull(payload, "payload");
        Steps.checkParties(initiator.id(), responder.id());
        byte[] ephemeral = Steps.ephemeralKey(ephemeralKey.publicKey());
        long seconds = Steps.signedAt(signedAt);
        byte[] sealed = Steps.sealedPayload(Ecies.seal(responder.currentKey(), payload.toBytes(),
                context(initiator.id(), responder.id(), ephemeral), random));
        byte[] digest = domain.authRequestDigest(initiator.id(), responder.id(), ephemeral, seconds, Hash.sha3(sealed));
        byte[] signature = initiator.key().signatureBytes(digest);
        return new AuthRequest(initiator.id(), responder.id(), ephemeral, seconds, sealed, signature);
    }

    /**
     * A request as read from the chain (the {@code AuthRequested} event or the transaction). Checks
     * only the form; call {@link #verify} before trusting it.
     *
     * @param signedAt seconds since 1970, a uint40
     * @throws HandshakeException if a value is malformed or out of range
     */
    public static AuthRequest of(PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt,
            byte[] sealedPayload, byte[] signature) {
        Steps.checkParties(initiator, responder);
        HandshakeTypedData.checkSignedAt(signedAt);
        return new AuthRequest(initiator, responder, Steps.ephemeralKey(ephemeralKey), signedAt,
                Steps.sealedPayload(sealedPayload), Steps.signature(signature));
    }

    /** The EIP-712 digest of this request in {@code domain}: the request ID the contract assigns. */
    public byte[] requestId(HandshakeTypedData domain) {
        Objects.requireNonNull(domain, "domain");
        return domain.authRequestDigest(initiator, responder, ephemeralKey, signedAt, payloadHash);
    }

    @Override
    byte[] signedDigest(HandshakeTypedData domain) {
        return requestId(domain);
    }

    @Override
    String label() {
        return "auth request";
    }

    /**
     * Opens the sealed payload with the responder's current key.
     *
     * @throws SealedPayloadException if it was sealed to another key or for another request, was
     *     altered, or its contents are malformed
     */
    public Payload open(IdentityKey responderKey) {
        return Payload.fromBytes(Ecies.open(responderKey, sealedPayload, context(initiator, responder, ephemeralKey)));
    }

    static byte[] context(PeerId initiator, PeerId responder, byte[] ephemeralKey) {
        return HandshakeCrypto.concat(CONTEXT_LABEL, initiator.bytes(), responder.bytes(), ephemeralKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthRequest other && sameSignedFields(other);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initiator, responder, signedAt, Arrays.hashCode(ephemeralKey), Arrays.hashCode(signature));
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
