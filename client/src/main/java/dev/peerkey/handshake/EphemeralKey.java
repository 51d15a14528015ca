package dev.peerkey.handshake;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import javax.security.auth.Destroyable;

import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A fresh X25519 (RFC 7748) key pair for one handshake step. Its public half goes on chain as
 * the step's {@code ephemeralKey}; the private half stays with the caller until the handshake
 * is finished (the initiator keeps it between {@link Handshake#start} and {@link Handshake#finish}),
 * and the responder's doubles as its first Double Ratchet key. Never printed; {@link #destroy()}
 * wipes it.
 */
public final class EphemeralKey implements Destroyable {
    public static final int KEY_SIZE = 32;

    private final byte[] privateKey;
    private final byte[] publicKey;
    private volatile boolean destroyed;

    private EphemeralKey(byte[] privateKey) {
        this.privateKey = privateKey;
        this.publicKey = new byte[KEY_SIZE];
        X25519.scalarMultBase(privateKey, 0, publicKey, 0);
    }

    public static EphemeralKey generate() {
        return generate(Holder.RANDOM);
    }

    public static EphemeralKey generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] k = new byte[KEY_SIZE];
        X25519.generatePrivateKey(random, k);
        return new EphemeralKey(k);
    }

    /**
     * Restores a key from its private half, as stored from {@link #privateKey()} (any 32 bytes;
     * X25519 clamps them).
     */
    public static EphemeralKey fromPrivateKey(byte[] privateKey) {
        if (privateKey == null || privateKey.length != KEY_SIZE) {
            throw new HandshakeException("an X25519 private key must be " + KEY_SIZE + " bytes, got "
                    + (privateKey == null ? 0 : privateKey.length));
        }
        return new EphemeralKey(privateKey.clone());
    }

    /** The 32-byte public key (a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * A copy of the 32-byte private key: secret. Only for storing a pending handshake and for
     * handing the responder's key to the Double Ratchet.
     */
    public byte[] privateKey() {
        checkLive();
        return privateKey.clone();
    }

    /** X25519(ours, theirs), or null when the result is all zeros (their key is a low-order point). */
    byte[] agree(byte[] theirPublicKey) {
        checkLive();
        if (theirPublicKey == null || theirPublicKey.length != KEY_SIZE) {
            throw new HandshakeException("an X25519 public key must be " + KEY_SIZE + " bytes, got "
                    + (theirPublicKey == null ? 0 : theirPublicKey.length));
        }
        byte[] shared = new byte[KEY_SIZE];
        if (!X25519.calculateAgreement(privateKey, 0, theirPublicKey, 0, shared, 0)) {
            return null;
        }
        return shared;
    }

    private void checkLive() {
        if (destroyed) {
            throw new HandshakeException("this ephemeral key was destroyed");
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(privateKey, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "EphemeralKey[X25519]";
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
