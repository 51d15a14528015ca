package dev.peerkey.handshake;

import java.time.Instant;
import java.util.Objects;

import dev.peerkey.identity.InvalidSignatureException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.identity.Signatures;

/** Checks shared by the two signed steps, so both refuse exactly what the contract refuses. */
final class Steps {
    /** The contract's {@code MAX_SEALED_PAYLOAD_LENGTH}. */
    static final int MAX_SEALED_PAYLOAD_LENGTH = 16 * 1024;

    private Steps() {
    }

    static void checkParties(PeerId initiator, PeerId responder) {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        if (initiator.equals(responder)) {
            throw new HandshakeException("an identity cannot authenticate with itself");
        }
    }

    static byte[] ephemeralKey(byte[] key) {
        if (key == null || key.length != EphemeralKey.KEY_SIZE) {
            throw new HandshakeException("an ephemeral key must be " + EphemeralKey.KEY_SIZE + " bytes, got "
                    + (key == null ? 0 : key.length));
        }
        if (HandshakeCrypto.isAllZero(key)) {
            throw new HandshakeException("the ephemeral key is all zeros");
        }
        return key.clone();
    }

    static byte[] requestId(byte[] id) {
        if (id == null || id.length != 32) {
            throw new HandshakeException("a request ID must be 32 bytes, got " + (id == null ? 0 : id.length));
        }
        return id.clone();
    }

    static long signedAt(Instant signedAt) {
        Objects.requireNonNull(signedAt, "signedAt");
        long seconds = signedAt.getEpochSecond();
        HandshakeTypedData.checkSignedAt(seconds);
        return seconds;
    }

    static byte[] sealedPayload(byte[] sealed) {
        Objects.requireNonNull(sealed, "sealedPayload");
        if (sealed.length > MAX_SEALED_PAYLOAD_LENGTH) {
            throw new HandshakeException("a sealed payload may be at most " + MAX_SEALED_PAYLOAD_LENGTH
                    + " bytes, got " + sealed.length);
        }
        return sealed.clone();
    }

    static byte[] signature(byte[] signature) {
        if (signature == null || signature.length != Signatures.SIGNATURE_LENGTH) {
            throw new HandshakeException("a signature must be " + Signatures.SIGNATURE_LENGTH + " bytes, got "
                    + (signature == null ? 0 : signature.length));
        }
        return signature.clone();
    }

    /** @throws WrongSignerException unless {@code signature} over {@code digest} recovers to {@code expected} */
    static void checkSigner(String step, byte[] digest, byte[] signature, PublicKey expected) {
        Objects.requireNonNull(expected, "expectedSigner");
        PublicKey recovered;
        try {
            recovered = Signatures.recover(digest, signature);
        } catch (InvalidSignatureException e) {
            throw new WrongSignerException("the " + step + "'s signature is invalid: " + e.getMessage(), e);
        }
        if (!recovered.equals(expected)) {
            throw new WrongSignerException("the " + step + " was not signed by the expected key of its signer: "
                    + "it is forged or was altered");
        }
    }
}
