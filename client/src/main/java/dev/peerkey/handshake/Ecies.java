package dev.peerkey.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import javax.crypto.AEADBadTagException;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.MalformedKeyException;
import dev.peerkey.identity.PublicKey;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.util.BigIntegers;

/**
 * ECIES to a secp256k1 identity key, for the private fields of a handshake step.
 *
 * <pre>
 * sealed = 0x01 (version) || E (33 bytes, SEC1 compressed ephemeral public key) || AES-256-GCM ciphertext || tag (16)
 * z      = x coordinate of ECDH(e, recipient), 32 bytes big-endian
 * k || n = HKDF-SHA256(ikm = z, salt = E || recipient (64 bytes x||y), info = "peerkey/ecies/v1"), 32 + 12 bytes
 * GCM associated data = version || E || context
 * </pre>
 *
 * The ephemeral key pair is fresh for every seal, so a key and nonce never repeat. {@code context}
 * is not transmitted: both sides must give the same bytes (the handshake binds each payload to
 * its step's identities and ephemeral key this way), and any difference fails like tampering.
 */
public final class Ecies {
    public static final byte VERSION = 1;
    /** Bytes a sealed payload adds to its plaintext: version, ephemeral key, GCM tag. */
    public static final int OVERHEAD = 1 + 33 + HandshakeCrypto.GCM_TAG_SIZE;

    private static final int HEADER_SIZE = 1 + 33;
    private static final byte[] INFO = "peerkey/ecies/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_CONTEXT = new byte[0];
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE);

    private Ecies() {
    }

    /** {@link #seal(PublicKey, byte[], byte[], SecureRandom)} with no context and a fresh SecureRandom. */
    public static byte[] seal(PublicKey recipient, byte[] plaintext) {
        return seal(recipient, plaintext, NO_CONTEXT, Holder.RANDOM);
    }

    /** {@link #seal(PublicKey, byte[], byte[], SecureRandom)} with the default SecureRandom. */
    public static byte[] seal(PublicKey recipient, byte[] plaintext, byte[] context) {
        return seal(recipient, plaintext, context, Holder.RANDOM);
    }

    /** Encrypts {@code plaintext} so that only the holder of {@code recipient}'s private key can read it. */
    public static byte[] seal(PublicKey recipient, byte[] plaintext, byte[] context, SecureRandom random) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(random, "random");
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(DOMAIN, random));
        AsymmetricCipherKeyPair ephemeral = generator.generateKeyPair();
        byte[] header = new byte[HEADER_SIZE];
        header[0] = VERSION;
        byte[] ephemeralPublic = ((ECPublicKeyParameters) ephemeral.getPublic()).getQ().getEncoded(true);
        System.arraycopy(ephemeralPublic, 0, header, 1, 33);

        byte[] keyAndNonce = deriveKey((ECPrivateKeyParameters) ephemeral.getPrivate(),
                new ECPublicKeyParameters(recipient.point(), DOMAIN), ephemeralPublic, recipient);
        try {
            byte[] ciphertext = HandshakeCrypto.gcmSeal(keyAndNonce, HandshakeCrypto.concat(header, context), plaintext);
            return HandshakeCrypto.concat(header, ciphertext);
        } finally {
            HandshakeCrypto.wipe(keyAndNonce);
        }
    }

    /** {@link #open(IdentityKey, byte[], byte[])} with no context. */
    public static byte[] open(IdentityKey recipient, byte[] sealed) {
        return open(recipient, sealed, NO_CONTEXT);
    }

    /**
     * Decrypts a payload sealed to {@code recipient}'s public key with the same context.
     *
     * @throws SealedPayloadException if the format or ephemeral key is invalid, or the payload was
     *     sealed to another key, under another context, or altered
     */
    public static byte[] open(IdentityKey recipient, byte[] sealed, byte[] context) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(context, "context");
        if (sealed == null || sealed.length < OVERHEAD) {
            throw new SealedPayloadException("the sealed payload is too short: at least " + OVERHEAD
                    + " bytes are needed, got " + (sealed == null ? 0 : sealed.length));
        }
        if (sealed[0] != VERSION) {
            throw new SealedPayloadException("the sealed payload has unknown version " + (sealed[0] & 0xff)
                    + " (this client reads version " + VERSION + ")");
        }
        byte[] ephemeralPublic = Arrays.copyOfRange(sealed, 1, HEADER_SIZE);
        ECPublicKeyParameters ephemeral;
        try {
            // PublicKey checks the encoding and that the point is on the curve and finite.
            ephemeral = new ECPublicKeyParameters(PublicKey.fromBytes(ephemeralPublic).point(), DOMAIN);
        } catch (MalformedKeyException | IllegalArgumentException e) {
            throw new SealedPayloadException("the sealed payload's ephemeral key is not a point on secp256k1", e);
        }
        BigInteger d = IdentityKeys.privateScalar(recipient);
        byte[] keyAndNonce = deriveKey(new ECPrivateKeyParameters(d, DOMAIN), ephemeral, ephemeralPublic,
                recipient.publicKey());
        try {
            byte[] aad = HandshakeCrypto.concat(Arrays.copyOfRange(sealed, 0, HEADER_SIZE), context);
            return HandshakeCrypto.gcmOpen(keyAndNonce, aad, sealed, HEADER_SIZE, sealed.length - HEADER_SIZE);
        } catch (AEADBadTagException e) {
            throw new SealedPayloadException("the sealed payload cannot be opened with this identity's key: "
                    + "it was sealed to another key or altered", e);
        } finally {
            HandshakeCrypto.wipe(keyAndNonce);
        }
    }

    /** ECDH x coordinate, then HKDF to a 32-byte AES key and a 12-byte nonce. */
    private static byte[] deriveKey(ECPrivateKeyParameters ours, ECPublicKeyParameters theirs,
            byte[] ephemeralPublic, PublicKey recipient) {
        ECDHBasicAgreement agreement = new ECDHBasicAgreement();
        agreement.init(ours);
        byte[] z;
        try {
            z = BigIntegers.asUnsignedByteArray(32, agreement.calculateAgreement(theirs));
        } catch (IllegalStateException e) {
            // Only the point at infinity fails here; secp256k1 has cofactor 1, so it cannot happen
            // for a valid point, but refuse rather than derive from a constant.
            throw new SealedPayloadException("the ECDH agreement of the sealed payload failed", e);
        }
        try {
            byte[] salt = HandshakeCrypto.concat(ephemeralPublic, recipient.bytes());
            return HandshakeCrypto.hkdf(z, salt, INFO, HandshakeCrypto.AES_KEY_SIZE + HandshakeCrypto.GCM_NONCE_SIZE);
        } finally {
            HandshakeCrypto.wipe(z);
        }
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();

        private Holder() {
        }
    }
}
