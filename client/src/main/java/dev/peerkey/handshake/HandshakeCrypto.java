package dev.peerkey.handshake;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The symmetric primitives of the handshake, in one place: SHA-256, HMAC-SHA256 and AES-256-GCM
 * from the JDK (intrinsified), HKDF-SHA256 (RFC 5869) from BouncyCastle.
 */
final class HandshakeCrypto {
    static final int AES_KEY_SIZE = 32;
    static final int GCM_NONCE_SIZE = 12;
    static final int GCM_TAG_SIZE = 16;

    private HandshakeCrypto() {
    }

    static byte[] sha256(byte[]... parts) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("this JDK lacks SHA-256", e);
        }
        for (byte[] part : parts) {
            md.update(part);
        }
        return md.digest();
    }

    static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("HMAC-SHA256 is unavailable", e);
        }
    }

    /** HKDF-SHA256 extract-then-expand, {@code length} bytes. */
    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    /** AES-256-GCM with the key and nonce taken from {@code keyAndNonce} (32 + 12 bytes). */
    static byte[] gcmSeal(byte[] keyAndNonce, byte[] aad, byte[] plaintext) {
        try {
            Cipher gcm = gcm(Cipher.ENCRYPT_MODE, keyAndNonce);
            gcm.updateAAD(aad);
            return gcm.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("AES-256-GCM is unavailable", e);
        }
    }

    /** @throws AEADBadTagException if the ciphertext, tag, key or associated data do not match */
    static byte[] gcmOpen(byte[] keyAndNonce, byte[] aad, byte[] ciphertext, int offset, int length)
            throws AEADBadTagException {
        try {
            Cipher gcm = gcm(Cipher.DECRYPT_MODE, keyAndNonce);
            gcm.updateAAD(aad);
            return gcm.doFinal(ciphertext, offset, length);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("AES-256-GCM is unavailable", e);
        }
    }

    private static Cipher gcm(int mode, byte[] keyAndNonce) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, new SecretKeySpec(keyAndNonce, 0, AES_KEY_SIZE, "AES"),
                new GCMParameterSpec(GCM_TAG_SIZE * 8, keyAndNonce, AES_KEY_SIZE, GCM_NONCE_SIZE));
        return gcm;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] part : parts) {
            n += part.length;
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }

    static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    static boolean isAllZero(byte[] a) {
        int acc = 0;
        for (byte b : a) {
            acc |= b;
        }
        return acc == 0;
    }
}
