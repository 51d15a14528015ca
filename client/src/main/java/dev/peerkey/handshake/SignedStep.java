package dev.peerkey.handshake;

import java.time.Instant;
import java.util.Arrays;

import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import org.web3j.crypto.Hash;

/**
 * What the two handshake steps share: the parties, the sender's X25519 ephemeral key, the
 * signed timestamp, the sealed payload and the sender's 65-byte signature over the step's
 * EIP-712 digest. Immutable; byte arrays are copied out.
 */
public abstract sealed class SignedStep permits AuthRequest, AuthAccept {
    final PeerId initiator;
    final PeerId responder;
    final byte[] ephemeralKey;
    final long signedAt;
    final byte[] sealedPayload;
    final byte[] payloadHash;
    final byte[] signature;

    SignedStep(PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt, byte[] sealedPayload,
            byte[] signature) {
        this.initiator = initiator;
        this.responder = responder;
        this.ephemeralKey = ephemeralKey;
        this.signedAt = signedAt;
        this.sealedPayload = sealedPayload;
        this.payloadHash = Hash.sha3(sealedPayload);
        this.signature = signature;
    }

    /** The EIP-712 digest the sender signed, in {@code domain}. */
    abstract byte[] signedDigest(HandshakeTypedData domain);

    /** How error messages name this step. */
    abstract String label();

    public PeerId initiator() {
        return initiator;
    }

    public PeerId responder() {
        return responder;
    }

    /** The sender's 32-byte X25519 ephemeral public key. */
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

    /**
     * Checks that the signature over this step in {@code domain} recovers exactly
     * {@code expectedSigner}, the sender's current key as verified from the registry.
     *
     * @throws WrongSignerException if it does not, or the signature is malformed
     */
    public void verify(PublicKey expectedSigner, HandshakeTypedData domain) {
        Steps.checkSigner(label(), signedDigest(domain), signature, expectedSigner);
    }

    /** {@link #verify(PublicKey, HandshakeTypedData)} for the messenger at {@code messengerAddress} on chain {@code chainId}. */
    public void verify(PublicKey expectedSigner, long chainId, String messengerAddress) {
        verify(expectedSigner, new HandshakeTypedData(chainId, messengerAddress));
    }

    /** Whether the fields both steps have are equal. */
    boolean sameSignedFields(SignedStep other) {
        return initiator.equals(other.initiator) && responder.equals(other.responder) && signedAt == other.signedAt
                && Arrays.equals(ephemeralKey, other.ephemeralKey) && Arrays.equals(sealedPayload, other.sealedPayload)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[initiator=" + initiator.hex() + ", responder=" + responder.hex()
                + ", signedAt=" + signedAt() + ", sealedPayload=" + sealedPayload.length + " bytes]";
    }
}
