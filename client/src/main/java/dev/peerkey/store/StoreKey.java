package dev.peerkey.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit key that seals a profile's secrets at rest: {@link Store} seals every secret
 * column with it, and the profile keeps it only wrapped under the keystore password (see
 * {@link StoreKeyFile}). Changing the password re-wraps this key; the database stays as it is.
 *
 * <p>A sealed value is {@code 0x01 || nonce (12) || AES-256-GCM ciphertext and tag (16)}: 29
 * bytes more than the plaintext, a fresh random nonce per value. The associated data says where
 * the value belongs (for a column: table, column and the row's key), so a value moved to another
 * row, column or purpose does not open. The key never appears in {@link #toString()}.
 */
public final class StoreKey {
    /** Key length in bytes. */
    public static final int SIZE = 32;
    /** Bytes a sealed value has beyond its plaintext. */
    public static final int OVERHEAD = 1 + 12 + 16;

    private static final byte FORMAT = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    /** Associated-data domains, so a column value and a labelled value can never be mistaken for each other. */
    private static final byte COLUMN = 1;
    private static final byte LABEL = 2;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** One cipher object per thread: Cipher.getInstance costs more than sealing a short value. */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java runtime", e);
        }
    });

    private final SecretKeySpec key;

    private StoreKey(byte[] key) {
        if (key.length != SIZE) {
            throw new IllegalArgumentException("a store key is " + SIZE + " bytes, got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A fresh random key (the profile's {@link StoreKeyFile} wraps it; tests and benchmarks use it bare). */
    public static StoreKey random() {
        byte[] k = new byte[SIZE];
        RANDOM.nextBytes(k);
        try {
            return new StoreKey(k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** The key from its 32 raw bytes (the caller wipes them), e.g. as the unlock agent hands it over. */
    public static StoreKey of(byte[] key) {
        return new StoreKey(Objects.requireNonNull(key, "key"));
    }

    /** The raw key, for wrapping or for the unlock agent; callers wipe it. */
    public byte[] bytes() {
        return key.getEncoded();
    }

    /**
     * Seals a value kept outside the database (e.g. a file of the profile) for one purpose.
     *
     * @param label what the value is; {@link #open(String, byte[])} needs the same label
     */
    public byte[] seal(String label, byte[] plaintext) {
        return seal(labelData(label), Objects.requireNonNull(plaintext, "plaintext"));
    }

    /**
     * Opens what {@link #seal(String, byte[])} sealed under the same label.
     *
     * @throws StoreException if the value was sealed under another key or label, or altered
     */
    public byte[] open(String label, byte[] sealed) {
        byte[] plaintext = open(labelData(label), Objects.requireNonNull(sealed, "sealed"));
        if (plaintext == null) {
            throw new StoreException("a sealed " + label + " does not open with this profile's store key:"
                    + " it was altered or belongs to another profile");
        }
        return plaintext;
    }

    /** Seals one column value of one row; see {@link SealedColumn}. */
    byte[] sealColumn(String table, String column, byte[] rowKey, byte[] plaintext) {
        return seal(columnData(table, column, rowKey), plaintext);
    }

    /** Opens one column value of one row, or returns null if it does not open there. */
    byte[] openColumn(String table, String column, byte[] rowKey, byte[] sealed) {
        return open(columnData(table, column, rowKey), sealed);
    }

    private byte[] seal(byte[] associatedData, byte[] plaintext) {
        byte[] out = new byte[OVERHEAD + plaintext.length];
        out[0] = FORMAT;
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, NONCE);
        try {
            Cipher gcm = GCM.get();
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(associatedData);
            gcm.doFinal(plaintext, 0, plaintext.length, out, 1 + NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java runtime", e);
        }
        return out;
    }

    /** The plaintext, or null if {@code sealed} is malformed or does not authenticate. */
    private byte[] open(byte[] associatedData, byte[] sealed) {
        if (sealed.length < OVERHEAD || sealed[0] != FORMAT) {
            return null;
        }
        try {
            Cipher gcm = GCM.get();
            gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE));
            gcm.updateAAD(associatedData);
            return gcm.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java runtime", e);
        }
    }

    /** COLUMN || len table || table || len column || column || row key: unambiguous, one encoding per place. */
    private static byte[] columnData(String table, String column, byte[] rowKey) {
        byte[] t = table.getBytes(StandardCharsets.UTF_8);
        byte[] c = column.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 2 + t.length + 2 + c.length + rowKey.length).put(COLUMN)
                .putShort((short) t.length).put(t).putShort((short) c.length).put(c).put(rowKey).array();
    }

    private static byte[] labelData(String label) {
        byte[] l = Objects.requireNonNull(label, "label").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + l.length).put(LABEL).put(l).array();
    }

    @Override
    public String toString() {
        return "StoreKey[secret]";
    }
}
