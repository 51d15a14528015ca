package dev.peerkey.handshake;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import javax.security.auth.Destroyable;

import dev.peerkey.identity.PeerId;

/**
 * What a completed handshake hands the session layer, as plain bytes: the shared secret for the
 * Double Ratchet's root key, the associated data both sides bind the session to, the
 * responder's first ratchet key, and the initiator's key-confirmation tag.
 *
 * <ul>
 *   <li>Initiator: {@code DoubleRatchet.initiator(sharedSecret(), responderRatchetPublicKey(),
 *       associatedData())}; send {@link #initiatorConfirmation()} with the first message.</li>
 *   <li>Responder: {@code DoubleRatchet.responder(sharedSecret(), <the X25519 pair restored from
 *       responderRatchetPrivateKey()>, associatedData())}; check the initiator's tag on its first
 *       message with {@link #verifyInitiatorConfirmation}.</li>
 * </ul>
 *
 * The peer's key confirmation has already been checked on the initiator's side (by
 * {@link Handshake#finish}). Never printed; {@link #destroy()} wipes the secrets.
 */
public final class SessionKeys implements Destroyable {
    /** Which side of the handshake these keys belong to. */
    public enum Role {
        INITIATOR,
        RESPONDER
    }

    private final Role role;
    private final PeerId localId;
    private final PeerId peerId;
    private final byte[] requestId;
    private final byte[] sharedSecret;
    private final byte[] associatedData;
    private final byte[] transcriptHash;
    private final byte[] initiatorConfirmation;
    private final byte[] responderRatchetPublicKey;
    private final byte[] responderRatchetPrivateKey;
    private final Endpoint peerEndpoint;
    private volatile boolean destroyed;

    SessionKeys(Role role, PeerId localId, PeerId peerId, byte[] requestId, KeySchedule schedule,
            byte[] responderRatchetPublicKey, byte[] responderRatchetPrivateKey, Endpoint peerEndpoint) {
        this.role = Objects.requireNonNull(role, "role");
        this.localId = localId;
        this.peerId = peerId;
        this.requestId = requestId.clone();
        this.sharedSecret = schedule.sharedSecret();
        this.associatedData = schedule.associatedData();
        this.transcriptHash = schedule.transcriptHash();
        this.initiatorConfirmation = schedule.initiatorConfirmation();
        this.responderRatchetPublicKey = responderRatchetPublicKey.clone();
        this.responderRatchetPrivateKey = responderRatchetPrivateKey == null ? null : responderRatchetPrivateKey.clone();
        this.peerEndpoint = peerEndpoint;
    }

    public Role role() {
        return role;
    }

    public PeerId localId() {
        return localId;
    }

    public PeerId peerId() {
        return peerId;
    }

    /** The request ID (EIP-712 digest of the AuthRequest) this session came from. */
    public byte[] requestId() {
        return requestId.clone();
    }

    /** The 32-byte secret for the Double Ratchet's root key (a copy; secret). */
    public byte[] sharedSecret() {
        checkLive();
        return sharedSecret.clone();
    }

    /** initiatorId || responderId || transcriptHash (96 bytes): the Double Ratchet's associated data. */
    public byte[] associatedData() {
        return associatedData.clone();
    }

    public byte[] transcriptHash() {
        return transcriptHash.clone();
    }

    /** The responder's 32-byte X25519 ratchet public key (its handshake ephemeral key). */
    public byte[] responderRatchetPublicKey() {
        return responderRatchetPublicKey.clone();
    }

    /**
     * The responder's 32-byte X25519 ratchet private key (its handshake ephemeral key; secret).
     *
     * @throws HandshakeException on the initiator's side, which never has it
     */
    public byte[] responderRatchetPrivateKey() {
        if (responderRatchetPrivateKey == null) {
            throw new HandshakeException("only the responder holds its ratchet private key");
        }
        checkLive();
        return responderRatchetPrivateKey.clone();
    }

    /** The initiator's 32-byte key-confirmation tag, which it sends with its first message. */
    public byte[] initiatorConfirmation() {
        checkLive();
        return initiatorConfirmation.clone();
    }

    /** Constant-time check of the tag the initiator sent; false for null or a wrong length. */
    public boolean verifyInitiatorConfirmation(byte[] tag) {
        checkLive();
        return tag != null && MessageDigest.isEqual(initiatorConfirmation, tag);
    }

    /** The endpoint the peer sealed into its step, if any. */
    public Optional<Endpoint> peerEndpoint() {
        return Optional.ofNullable(peerEndpoint);
    }

    private void checkLive() {
        if (destroyed) {
            throw new HandshakeException("these session keys were destroyed");
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(sharedSecret, (byte) 0);
        Arrays.fill(initiatorConfirmation, (byte) 0);
        if (responderRatchetPrivateKey != null) {
            Arrays.fill(responderRatchetPrivateKey, (byte) 0);
        }
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "SessionKeys[role=" + role + ", local=" + localId.hex() + ", peer=" + peerId.hex() + "]";
    }
}
