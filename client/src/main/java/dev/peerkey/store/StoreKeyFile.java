package dev.peerkey.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.KeystoreException.Reason;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * {@code store.key} in a profile: the {@link StoreKey} wrapped under the keystore password, so
 * the password that unlocks the identities unlocks the database. The key-encryption key is
 * scrypt(password, salt) with the V3 keystore's parameters (n = 2^18, r = 8, p = 1, or the light
 * n = 2^12, p = 6 of {@code --fast-kdf}); it wraps the 32-byte key with AES-256-GCM. A new
 * password only re-wraps the key ({@link #rewrap}); the database is not touched. Errors are the
 * keystore's: {@link KeystoreException} with the same reasons (a wrong password cannot be told
 * apart from an altered file).
 *
 * <p>{@code check} is a key-check value: HMAC-SHA256(store key, "peerkey store.key check v1"),
 * public, so that a store key handed over without the password (by the unlock agent) can be told
 * to be this profile's before anything is sealed under it. It reveals nothing usable about a
 * random 256-bit key. Files written before it existed lack it; older clients ignore it (they read
 * only the fields they know), so it was added without a new version: {@link #addCheck} writes it
 * the next time the key is unwrapped with the password (any command that asks for it, `unlock`).
 *
 * <pre>
 * {"version": 1, "kdf": "scrypt", "kdfparams": {"n", "r", "p", "dklen": 32, "salt": hex(32)},
 *  "cipher": "aes-256-gcm", "iv": hex(12), "ciphertext": hex(32 + 16), "check": hex(32)}
 * </pre>
 */
public final class StoreKeyFile {
    /** The file's name inside a profile's home directory. */
    public static final String FILE_NAME = "store.key";

    /** scrypt parameters: those of web3j's standard and light V3 keystores. */
    public enum Kdf {
        STANDARD(1 << 18, 8, 1),
        LIGHT(1 << 12, 8, 6);

        final int n;
        final int r;
        final int p;

        Kdf(int n, int r, int p) {
            this.n = n;
            this.r = r;
            this.p = p;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] WRAP_DATA = "peerkey store.key v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CHECK_LABEL = "peerkey store.key check v1".getBytes(StandardCharsets.UTF_8);
    private static final int CHECK = 32;
    private static final int SALT = 32;
    private static final int IV = 12;
    private static final int MAX_FILE_SIZE = 4096;
    /** scrypt needs 128 * r * n bytes; refuse files that would need more than 1 GiB (as the keystore does). */
    private static final long MAX_SCRYPT_MEMORY = 1L << 30;

    private StoreKeyFile() {
    }

    /**
     * Makes a new random store key and writes it wrapped under {@code password}, mode 0600.
     *
     * @throws KeystoreException IO if the file exists (another process may have just made it) or cannot be written
     */
    public static StoreKey create(Path file, char[] password, Kdf kdf) {
        StoreKey key = StoreKey.random();
        write(file, wrap(key, password, kdf), false);
        return key;
    }

    /**
     * Unwraps the store key.
     *
     * @throws KeystoreException NOT_FOUND, WRONG_PASSWORD, CORRUPT or IO
     */
    public static StoreKey unlock(Path file, char[] password) {
        Objects.requireNonNull(password, "password");
        String name = String.valueOf(file.getFileName());
        Wrapped w = parse(read(file), name);
        byte[] kek = kek(password, w.salt, w.n, w.r, w.p);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, w.iv));
            gcm.updateAAD(WRAP_DATA);
            byte[] raw = gcm.doFinal(w.ciphertext);
            try {
                return StoreKey.of(raw);
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        } catch (AEADBadTagException e) {
            throw new KeystoreException(Reason.WRONG_PASSWORD, "wrong password for the store key " + name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java runtime", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /** Wraps the same store key under a new password, replacing the file atomically; the database is unchanged. */
    public static void rewrap(Path file, char[] oldPassword, char[] newPassword, Kdf kdf) {
        StoreKey key = unlock(file, oldPassword);
        write(file, wrap(key, newPassword, kdf), true);
    }

    /**
     * The same store key wrapped under {@code newPassword} with the file's own scrypt strength, as
     * the bytes of a new file (the caller puts it in place, e.g. with other files at once).
     *
     * @throws KeystoreException NOT_FOUND, WRONG_PASSWORD, CORRUPT or IO
     */
    public static byte[] rewrapped(Path file, char[] oldPassword, char[] newPassword) {
        Wrapped w = parse(read(file), String.valueOf(file.getFileName()));
        StoreKey key = unlock(file, oldPassword);
        return wrap(key, newPassword, w.n < Kdf.STANDARD.n ? Kdf.LIGHT : Kdf.STANDARD);
    }

    /** The key-check value of {@code key}: HMAC-SHA256(key, "peerkey store.key check v1"). */
    public static byte[] checkValue(StoreKey key) {
        byte[] raw = key.bytes();
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(raw, "HmacSHA256"));
            return mac.doFinal(CHECK_LABEL);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * The key-check value the file holds; empty for a file written before there was one.
     *
     * @throws KeystoreException NOT_FOUND, CORRUPT (a check value that is not 32 bytes of hex) or IO
     */
    public static java.util.Optional<byte[]> check(Path file) {
        String name = String.valueOf(file.getFileName());
        byte[] json = read(file);
        parse(json, name);
        try {
            JsonNode check = JSON.readTree(json).get("check");
            return check == null ? java.util.Optional.empty() : java.util.Optional.of(hex(check, CHECK, name));
        } catch (IOException e) {
            throw corrupt(name, "it is not valid JSON");
        }
    }

    /**
     * Adds the key-check value of {@code key} (just unwrapped from this file with the password) to a
     * file that has none, replacing it atomically; nothing else in it changes. Nothing is done if
     * the file already has one. (A profile's store key never changes: a new password re-wraps it.)
     *
     * @throws KeystoreException IO if the file cannot be rewritten
     */
    public static void addCheck(Path file, StoreKey key) {
        String name = String.valueOf(file.getFileName());
        byte[] json = read(file);
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject() || root.has("check")) {
                return;
            }
            ((ObjectNode) root).put("check", HEX.formatHex(checkValue(key)));
            write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), true);
        } catch (IOException e) {
            throw corrupt(name, "it is not valid JSON");
        }
    }

    private record Wrapped(int n, int r, int p, byte[] salt, byte[] iv, byte[] ciphertext) { }

    private static byte[] wrap(StoreKey key, char[] password, Kdf kdf) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(kdf, "kdf");
        byte[] salt = new byte[SALT];
        byte[] iv = new byte[IV];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(iv);
        byte[] kek = kek(password, salt, kdf.n, kdf.r, kdf.p);
        byte[] raw = key.bytes();
        byte[] ciphertext;
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, iv));
            gcm.updateAAD(WRAP_DATA);
            ciphertext = gcm.doFinal(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java runtime", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
            Arrays.fill(raw, (byte) 0);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        root.put("kdf", "scrypt");
        ObjectNode params = root.putObject("kdfparams");
        params.put("n", kdf.n);
        params.put("r", kdf.r);
        params.put("p", kdf.p);
        params.put("dklen", 32);
        params.put("salt", HEX.formatHex(salt));
        root.put("cipher", "aes-256-gcm");
        root.put("iv", HEX.formatHex(iv));
        root.put("ciphertext", HEX.formatHex(ciphertext));
        root.put("check", HEX.formatHex(checkValue(key)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the store key file", e);
        }
    }

    private static byte[] kek(char[] password, byte[] salt, int n, int r, int p) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[encoded.remaining()];
        encoded.get(pw);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            return SCrypt.generate(pw, salt, n, r, p, 32);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static Wrapped parse(byte[] json, String name) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject() || root.path("version").asInt() != 1
                    || !"scrypt".equals(root.path("kdf").asText()) || !"aes-256-gcm".equals(root.path("cipher").asText())) {
                throw corrupt(name, "it is not a version 1 scrypt / aes-256-gcm store key");
            }
            JsonNode kp = root.path("kdfparams");
            int n = kp.path("n").asInt(0);
            int r = kp.path("r").asInt(0);
            int p = kp.path("p").asInt(0);
            if (n < 2 || Integer.bitCount(n) != 1 || r < 1 || p < 1 || p > 16 || kp.path("dklen").asInt() != 32
                    || 128L * r * n > MAX_SCRYPT_MEMORY) {
                throw corrupt(name, "its scrypt parameters are out of range");
            }
            return new Wrapped(n, r, p, hex(root.path("kdfparams").path("salt"), SALT, name),
                    hex(root.path("iv"), IV, name), hex(root.path("ciphertext"), StoreKey.SIZE + 16, name));
        } catch (IOException e) {
            throw corrupt(name, "it is not valid JSON");
        }
    }

    private static byte[] hex(JsonNode node, int length, String name) {
        try {
            byte[] b = HEX.parseHex(node.asText(""));
            if (b.length == length) {
                return b;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw corrupt(name, "a field is not " + length + " bytes of hex");
    }

    private static byte[] read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(MAX_FILE_SIZE + 1);
            if (data.length > MAX_FILE_SIZE) {
                throw corrupt(String.valueOf(file.getFileName()), "it is far larger than any store key");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new KeystoreException(Reason.NOT_FOUND, "the store key " + file + " does not exist");
        } catch (IOException e) {
            throw new KeystoreException(Reason.IO, "cannot read the store key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes through a temporary file: linked into place (never over an existing file) for a new
     * key, moved over the old one for a re-wrap.
     */
    private static void write(Path file, byte[] json, boolean replace) {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path tmp = null;
        try {
            dev.peerkey.PrivateDirectory.create(dir); // the profile home: 0700 if this makes it
            tmp = Files.createTempFile(dir, ".store-key-", ".tmp", posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0]);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (replace) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                tmp = null;
            } else {
                Files.createLink(file, tmp); // fails if the file exists: two first runs never both win
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeystoreException(Reason.IO, "the store key " + file + " already exists", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new KeystoreException(Reason.IO, "cannot write the store key " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // only ciphertext
                }
            }
        }
    }

    private static KeystoreException corrupt(String name, String what) {
        return new KeystoreException(Reason.CORRUPT, "the store key " + name + " is corrupt: " + what);
    }
}
