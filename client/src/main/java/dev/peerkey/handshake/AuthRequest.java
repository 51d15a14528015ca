package dev.peerkey.handshake;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
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
public final class AuthRequest {
    /** The contract's limit on a sealed payload. */
    public static final int MAX_SEALED_PAYLOAD_LENGTH = Steps.MAX_SEALED_PAYLOAD_LENGTH;

    private static final byte[] CONTEXT_LABEL = "peerkey/auth-request".getBytes(StandardCharsets.US_ASCII);

    private final PeerId initiator;
    private final PeerId responder;
    private final byte[] ephemeralKey;
    private final long signedAt;
    private final byte[] sealedPayload;
    private final byte[] payloadHash;
    private final byte[] signature;

    private AuthRequest(PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt,
            byte[] sealedPayload, byte[] signature) {
        this.initiator = initiator;
        this.responder = responder;
        this.ephemeralKey = ephemeralKey;
        this.signedAt = signedAt;
        this.sealedPayload = sealedPayload;
        this.payloadHash = Hash.sha3(sealedPayload);
        this.signature = signature;
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

    public PeerId initiator() {
        return initiator;
    }

    public PeerId responder() {
        return responder;
    }

    /** The initiator's 32-byte X25519 ephemeral public key. */
    public byte[] ephemeralKey() {
        return ephemeralKey.clone();
    }

    public Instant signedAt() {
        return Instant.ofEpochSecond(signedAt);
    }

    /** The signed uint40: seconds since 1970. */
    public long signedAtSeconds() {
        return signedAt;
    }

    public byte[] sealedPayload() {
        return sealedPayload.clone();
    }

    /** keccak256 of the sealed payload, the value signed. */
    public byte[] payloadHash() {
        return payloadHash.clone();
    }

    /** 65 bytes r || s || v. */
    public byte[] signature() {
        return signature.clone();
    }

    /** The EIP-712 digest of this request in {@code domain}: the request ID the contract assigns. */
    public byte[] requestId(HandshakeTypedData domain) {
        Objects.requireNonNull(domain, "domain");
        return domain.authRequestDigest(initiator, responder, ephemeralKey, signedAt, payloadHash);
    }

    /**
     * Checks that the initiator's signature over this request in {@code domain} recovers exactly
     * {@code expectedSigner}, the initiator's current key as verified from the registry.
     *
     * @throws WrongSignerException if it does not, or the signature is malformed
     */
    public void verify(PublicKey expectedSigner, HandshakeTypedData domain) {
        Steps.checkSigner("auth request", requestId(domain), signature, expectedSigner);
    }

    /** {@link #verify(PublicKey, HandshakeTypedData)} for the messenger at {@code messengerAddress} on chain {@code chainId}. */
    public void verify(PublicKey expectedSigner, long chainId, String messengerAddress) {
        verify(expectedSigner, new HandshakeTypedData(chainId, messengerAddress));
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
        return o instanceof AuthRequest other && initiator.equals(other.initiator)
                && responder.equals(other.responder) && signedAt == other.signedAt
                && Arrays.equals(ephemeralKey, other.ephemeralKey) && Arrays.equals(sealedPayload, other.sealedPayload)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initiator, responder, signedAt, Arrays.hashCode(ephemeralKey), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "AuthRequest[initiator=" + initiator.hex() + ", responder=" + responder.hex() + ", signedAt="
                + signedAt() + ", sealedPayload=" + sealedPayload.length + " bytes]";
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
