package dev.peerkey.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

import dev.peerkey.identity.PeerId;

/**
 * The keys a completed handshake agrees, derived from the X25519 agreement of the two ephemeral
 * keys and bound to both identities and the transcript.
 *
 * <pre>
 * dh             = X25519(own ephemeral private, peer ephemeral public)   (all zeros is refused)
 * transcriptHash = SHA-256(requestId || initiatorEphemeral || responderEphemeral || initiatorId || responderId)
 * okm            = HKDF-SHA256(ikm = dh, salt = transcriptHash,
 *                              info = "peerkey/handshake/v1" || initiatorId || responderId), 96 bytes
 * sharedSecret = okm[0..32)   initiatorConfirmKey = okm[32..64)   responderConfirmKey = okm[64..96)
 * initiator tag  = HMAC-SHA256(initiatorConfirmKey, "peerkey/confirm/initiator" || transcriptHash)
 * responder tag  = HMAC-SHA256(responderConfirmKey, "peerkey/confirm/responder" || transcriptHash)
 * associatedData = initiatorId || responderId || transcriptHash   (96 bytes, for the Double Ratchet)
 * </pre>
 *
 * Both sides compute the same values. Tags are compared in constant time. Never printed.
 */
public final class KeySchedule {
    public static final int SECRET_SIZE = 32;
    public static final int TAG_SIZE = 32;

    private static final byte[] INFO = "peerkey/handshake/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INITIATOR_LABEL = "peerkey/confirm/initiator".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONDER_LABEL = "peerkey/confirm/responder".getBytes(StandardCharsets.US_ASCII);

    private final byte[] transcriptHash;
    private final byte[] associatedData;
    private final byte[] sharedSecret;
    private final byte[] initiatorConfirmation;
    private final byte[] responderConfirmation;

    private KeySchedule(byte[] dh, byte[] requestId, byte[] initiatorEphemeral, byte[] responderEphemeral,
            PeerId initiator, PeerId responder) {
        byte[] initiatorId = initiator.bytes();
        byte[] responderId = responder.bytes();
        this.transcriptHash = HandshakeCrypto.sha256(requestId, initiatorEphemeral, responderEphemeral,
                initiatorId, responderId);
        this.associatedData = HandshakeCrypto.concat(initiatorId, responderId, transcriptHash);
        byte[] okm = HandshakeCrypto.hkdf(dh, transcriptHash, HandshakeCrypto.concat(INFO, initiatorId, responderId),
                3 * SECRET_SIZE);
        byte[] initiatorKey = Arrays.copyOfRange(okm, SECRET_SIZE, 2 * SECRET_SIZE);
        byte[] responderKey = Arrays.copyOfRange(okm, 2 * SECRET_SIZE, 3 * SECRET_SIZE);
        try {
            this.sharedSecret = Arrays.copyOfRange(okm, 0, SECRET_SIZE);
            this.initiatorConfirmation = HandshakeCrypto.hmacSha256(initiatorKey, INITIATOR_LABEL, transcriptHash);
            this.responderConfirmation = HandshakeCrypto.hmacSha256(responderKey, RESPONDER_LABEL, transcriptHash);
        } finally {
            HandshakeCrypto.wipe(okm, initiatorKey, responderKey);
        }
    }

    /**
     * The initiator's side: its own ephemeral key and the responder's ephemeral public key.
     *
     * @throws HandshakeException if the responder's key is a low-order point or a length is wrong
     */
    public static KeySchedule forInitiator(EphemeralKey initiatorKey, byte[] responderEphemeral, byte[] requestId,
            PeerId initiator, PeerId responder) {
        Objects.requireNonNull(initiatorKey, "initiatorKey");
        return derive(initiatorKey, responderEphemeral, initiatorKey.publicKey(), responderEphemeral, requestId,
                initiator, responder, "responder");
    }

    /**
     * The responder's side: its own ephemeral key and the initiator's ephemeral public key.
     *
     * @throws HandshakeException if the initiator's key is a low-order point or a length is wrong
     */
    public static KeySchedule forResponder(EphemeralKey responderKey, byte[] initiatorEphemeral, byte[] requestId,
            PeerId initiator, PeerId responder) {
        Objects.requireNonNull(responderKey, "responderKey");
        return derive(responderKey, initiatorEphemeral, initiatorEphemeral, responderKey.publicKey(), requestId,
                initiator, responder, "initiator");
    }

    private static KeySchedule derive(EphemeralKey ours, byte[] theirs, byte[] initiatorEphemeral,
            byte[] responderEphemeral, byte[] requestId, PeerId initiator, PeerId responder, String peerRole) {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        if (requestId == null || requestId.length != 32) {
            throw new HandshakeException("the request ID must be 32 bytes, got "
                    + (requestId == null ? 0 : requestId.length));
        }
        byte[] dh = ours.agree(theirs);
        if (dh == null) {
            throw new HandshakeException("the " + peerRole + "'s ephemeral key is a low-order X25519 point, "
                    + "which would make the session key public; the handshake is refused");
        }
        try {
            return new KeySchedule(dh, requestId, initiatorEphemeral, responderEphemeral, initiator, responder);
        } finally {
            HandshakeCrypto.wipe(dh);
        }
    }

    /** The 32-byte secret for the Double Ratchet's root key (a copy; secret). */
    public byte[] sharedSecret() {
        return sharedSecret.clone();
    }

    public byte[] transcriptHash() {
        return transcriptHash.clone();
    }

    /** initiatorId || responderId || transcriptHash: the Double Ratchet's associated data. */
    public byte[] associatedData() {
        return associatedData.clone();
    }

    /** The tag the initiator sends with its first message. */
    public byte[] initiatorConfirmation() {
        return initiatorConfirmation.clone();
    }

    /** The tag the responder seals into its accept. */
    public byte[] responderConfirmation() {
        return responderConfirmation.clone();
    }

    /** Constant-time check of the initiator's tag; false for null or a wrong length. */
    public boolean verifyInitiatorConfirmation(byte[] tag) {
        return tag != null && MessageDigest.isEqual(initiatorConfirmation, tag);
    }

    /** Constant-time check of the responder's tag; false for null or a wrong length. */
    public boolean verifyResponderConfirmation(byte[] tag) {
        return tag != null && MessageDigest.isEqual(responderConfirmation, tag);
    }

    @Override
    public String toString() {
        return "KeySchedule[HKDF-SHA256]";
    }
}
