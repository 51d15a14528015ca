package dev.peerkey.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The symmetric primitives of the ratchet: HMAC-SHA256, HKDF-SHA256 (RFC 5869) built on it,
 * and AES-256-GCM. The JDK's implementations are used because they are intrinsified (SHA
 * and AES-NI/CLMUL): with a fresh key per operation, as the ratchet uses them, BouncyCastle's
 * pure-Java HMAC and AES-GCM measured about 4x and 2.5x slower (PrimitivesBench in the
 * benchmarks module).
 */
final class RatchetCrypto {
    static final int KEY_SIZE = 32;
    static final int NONCE_SIZE = 12;
    static final int TAG_SIZE = 16;

    private static final byte[] ROOT_INFO = "peerkey/ratchet/root".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_INFO = "peerkey/ratchet/message".getBytes(StandardCharsets.US_ASCII);
    /** RFC 5869: an absent salt is HashLen zero bytes. */
    private static final byte[] NO_SALT = new byte[KEY_SIZE];
    private static final byte MESSAGE_KEY_CONSTANT = 0x01;
    private static final byte CHAIN_KEY_CONSTANT = 0x02;

    // Mac and Cipher objects are stateful and costly to look up, so each thread keeps one.
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(RatchetCrypto::newMac);
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(RatchetCrypto::newCipher);

    private RatchetCrypto() {
    }

    /** KDF_RK: 64 bytes, the new root key followed by a new chain key. */
    static byte[] kdfRoot(byte[] rootKey, byte[] dhOutput) {
        return hkdf(rootKey, dhOutput, ROOT_INFO, 2 * KEY_SIZE);
    }

    /** KDF_CK: writes HMAC(ck, 0x01) to messageKey and HMAC(ck, 0x02) to nextChainKey. */
    static void kdfChain(byte[] chainKey, byte[] messageKey, byte[] nextChainKey) {
        Mac mac = HMAC.get();
        init(mac, chainKey);
        try {
            mac.update(MESSAGE_KEY_CONSTANT);
            mac.doFinal(messageKey, 0); // doFinal keeps the key, so no second init
            mac.update(CHAIN_KEY_CONSTANT);
            mac.doFinal(nextChainKey, 0);
        } catch (ShortBufferException e) {
            throw new SessionException("HMAC-SHA256 output buffer too small", e);
        }
    }

    /** HKDF-SHA256 (RFC 5869) extract-then-expand; {@code length} at most 255 * 32. */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        Mac mac = HMAC.get();
        init(mac, salt);
        byte[] prk = mac.doFinal(ikm);
        init(mac, prk);
        byte[] okm = new byte[length];
        byte[] block = new byte[0];
        for (int counter = 1, pos = 0; pos < length; counter++) {
            mac.update(block);
            mac.update(info);
            mac.update((byte) counter);
            Arrays.fill(block, (byte) 0);
            block = mac.doFinal();
            int n = Math.min(block.length, length - pos);
            System.arraycopy(block, 0, okm, pos, n);
            pos += n;
        }
        Arrays.fill(block, (byte) 0);
        Arrays.fill(prk, (byte) 0);
        return okm;
    }

    /**
     * Encrypts {@code plaintext} into {@code envelope} after its {@code headerSize}-byte header;
     * the associated data is {@code sessionAd || header}.
     */
    static void seal(byte[] messageKey, byte[] sessionAd, byte[] envelope, int headerSize, byte[] plaintext) {
        byte[] keyAndNonce = hkdf(NO_SALT, messageKey, MESSAGE_INFO, KEY_SIZE + NONCE_SIZE);
        Cipher gcm = GCM.get();
        try {
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyAndNonce, 0, KEY_SIZE, "AES"),
                    new GCMParameterSpec(TAG_SIZE * 8, keyAndNonce, KEY_SIZE, NONCE_SIZE));
            gcm.updateAAD(sessionAd);
            gcm.updateAAD(envelope, 0, headerSize);
            gcm.doFinal(plaintext, 0, plaintext.length, envelope, headerSize);
        } catch (GeneralSecurityException e) {
            // The JDK refuses a key and nonce it has just used: only a stale copy of the state does that.
            throw new SessionException("refusing to encrypt: this message key was already used, "
                    + "so the session state must have been restored from a stale copy", e);
        } finally {
            Arrays.fill(keyAndNonce, (byte) 0);
        }
    }

    /**
     * Decrypts the part of {@code envelope} after its header.
     *
     * @throws AEADBadTagException if the ciphertext, the header or the associated data was altered
     */
    static byte[] open(byte[] messageKey, byte[] sessionAd, byte[] envelope, int headerSize)
            throws AEADBadTagException {
        byte[] keyAndNonce = hkdf(NO_SALT, messageKey, MESSAGE_INFO, KEY_SIZE + NONCE_SIZE);
        Cipher gcm = GCM.get();
        try {
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyAndNonce, 0, KEY_SIZE, "AES"),
                    new GCMParameterSpec(TAG_SIZE * 8, keyAndNonce, KEY_SIZE, NONCE_SIZE));
            gcm.updateAAD(sessionAd);
            gcm.updateAAD(envelope, 0, headerSize);
            return gcm.doFinal(envelope, headerSize, envelope.length - headerSize);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new SessionException("AES-256-GCM is unavailable or misconfigured", e);
        } finally {
            Arrays.fill(keyAndNonce, (byte) 0);
        }
    }

    private static void init(Mac mac, byte[] key) {
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new SessionException("HMAC-SHA256 rejected a 32-byte key", e);
        }
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new SessionException("this JDK lacks HMAC-SHA256", e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new SessionException("this JDK lacks AES/GCM/NoPadding", e);
        }
    }
}
