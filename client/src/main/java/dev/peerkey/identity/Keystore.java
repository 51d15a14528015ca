package dev.peerkey.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.peerkey.identity.KeystoreException.Reason;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;

/**
 * A directory of Ethereum V3 keystore files, one per identity, named
 * {@code <id hex without 0x>.json}. The files are the format geth and web3j read, so a
 * key can be moved to a wallet and back.
 */
public final class Keystore {
    private static final Pattern FILE_NAME = Pattern.compile("[0-9a-f]{64}\\.json");
    /** Real keystores are under 1 KiB; the cap stops a stray huge file from being read whole. */
    private static final int MAX_FILE_SIZE = 64 * 1024;
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
            PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
            PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final boolean lightScrypt;

    /** A keystore that encrypts with web3j's standard scrypt parameters (n = 2^18). */
    public Keystore(Path dir) {
        this(dir, false);
    }

    private Keystore(Path dir, boolean lightScrypt) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.lightScrypt = lightScrypt;
    }

    /** Light scrypt (n = 2^12): fast for tests and demos, much weaker against guessing. */
    public static Keystore withLightScrypt(Path dir) {
        return new Keystore(dir, true);
    }

    public Path dir() {
        return dir;
    }

    public Path fileOf(PeerId id) {
        return dir.resolve(Hex.encode(id.bytes()) + ".json");
    }

    public boolean contains(PeerId id) {
        return Files.isRegularFile(fileOf(id));
    }

    /**
     * Encrypts {@code key} into a new file, written to a temporary file and moved into place
     * so a crash never leaves a half-written key.
     *
     * @throws KeystoreException with reason IO if a file for this ID exists or the write fails
     */
    public Path save(IdentityKey key, char[] password) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(password, "password");
        Path target = fileOf(key.id());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new KeystoreException(Reason.IO,
                    "a key for " + key.id() + " already exists in " + dir);
        }
        byte[] json = KeystoreJson.write(encrypt(key, password));
        createDir();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, ".peerkey-", ".tmp", fileAttributes());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true); // on disk before the rename makes it visible
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return target;
        } catch (FileAlreadyExistsException e) {
            throw new KeystoreException(Reason.IO,
                    "a key for " + key.id() + " already exists in " + dir, e);
        } catch (IOException e) {
            throw new KeystoreException(Reason.IO,
                    "cannot write keystore file " + target + ": " + describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file holds only ciphertext
                }
            }
        }
    }

    /** @throws KeystoreException NOT_FOUND, WRONG_PASSWORD, CORRUPT or IO */
    public IdentityKey load(PeerId id, char[] password) {
        Path file = fileOf(id);
        if (!Files.exists(file)) {
            throw new KeystoreException(Reason.NOT_FOUND, "no key for " + id + " in " + dir);
        }
        return read(file, password);
    }

    /**
     * Decrypts one keystore file, ours or another tool's. If the file has an address field
     * or a {@code <id>.json} name, the key inside must match it.
     *
     * @throws KeystoreException NOT_FOUND, WRONG_PASSWORD, CORRUPT or IO
     */
    public static IdentityKey read(Path file, char[] password) {
        Objects.requireNonNull(password, "password");
        String name = String.valueOf(file.getFileName());
        KeystoreJson.Parsed parsed;
        try {
            parsed = KeystoreJson.parse(readBounded(file));
        } catch (KeystoreJson.Defect d) {
            throw corrupt(name, d.getMessage());
        }
        ECKeyPair pair;
        try {
            // web3j takes a String; the copy cannot be wiped, an accepted limit of the API.
            pair = Wallet.decrypt(new String(password), parsed.wallet());
        } catch (CipherException e) {
            if ("Invalid password provided".equals(e.getMessage())) {
                // A MAC mismatch: a wrong password, or an altered ciphertext we cannot tell apart.
                throw new KeystoreException(Reason.WRONG_PASSWORD,
                        "wrong password for keystore " + name);
            }
            throw corrupt(name, "it cannot be decrypted");
        } catch (RuntimeException e) {
            throw corrupt(name, "it cannot be decrypted");
        }
        IdentityKey key;
        try {
            key = IdentityKey.fromPrivateKey(pair.getPrivateKey());
        } catch (MalformedKeyException e) {
            throw corrupt(name, "it does not hold a valid secp256k1 private key");
        }
        String address = Hex.encode(key.id().bytes()).substring(24);
        if (parsed.address() != null && !parsed.address().equals(address)) {
            throw corrupt(name, "its address field does not match the key it holds");
        }
        if (FILE_NAME.matcher(name).matches() && !name.equals(Hex.encode(key.id().bytes()) + ".json")) {
            throw corrupt(name, "its file name does not match the key it holds");
        }
        return key;
    }

    /** scrypt below this cost n (2^14) is refused on import: geth's "light" level. */
    public static final int MIN_SCRYPT_N = 1 << 14;
    /** pbkdf2-hmac-sha256 below this iteration count c is refused on import. */
    public static final int MIN_PBKDF2_C = 100_000;

    /**
     * The key derivation of a V3 keystore file: {@code kdf} is scrypt or pbkdf2, {@code parameter}
     * its cost parameter (n or c), {@code value} its value and {@code minimum} what import accepts.
     */
    public record Kdf(String kdf, String parameter, long value, long minimum) {
        public boolean weak() {
            return value < minimum;
        }

        @Override
        public String toString() {
            return kdf + " " + parameter + " = " + value;
        }
    }

    /**
     * Reads a V3 keystore file's key derivation without decrypting it.
     *
     * @throws KeystoreException NOT_FOUND, CORRUPT or IO
     */
    public static Kdf kdfOf(Path file) {
        KeystoreJson.Parsed parsed;
        try {
            parsed = KeystoreJson.parse(readBounded(file));
        } catch (KeystoreJson.Defect d) {
            throw corrupt(String.valueOf(file.getFileName()), d.getMessage());
        }
        Object params = parsed.wallet().getCrypto().getKdfparams();
        if (params instanceof WalletFile.ScryptKdfParams scrypt) {
            return new Kdf("scrypt", "n", scrypt.getN(), MIN_SCRYPT_N);
        }
        return new Kdf("pbkdf2", "c", ((WalletFile.Aes128CtrKdfParams) params).getC(), MIN_PBKDF2_C);
    }

    /** The bytes of the stored file of {@code id}, as written (for an export). */
    public byte[] rawFile(PeerId id) {
        Path file = fileOf(id);
        if (!Files.exists(file)) {
            throw new KeystoreException(Reason.NOT_FOUND, "no key for " + id + " in " + dir);
        }
        return readBounded(file);
    }

    /**
     * Stores an already encrypted V3 file for {@code id} as it is (an import that keeps the
     * file's own encryption); never over an existing file.
     */
    public Path saveRaw(PeerId id, byte[] json) {
        Path target = fileOf(id);
        createDir();
        try {
            writeAtomically(dir, target, json, false, fileAttributes());
            return target;
        } catch (FileAlreadyExistsException e) {
            throw new KeystoreException(Reason.IO, "a key for " + id + " already exists in " + dir, e);
        } catch (IOException e) {
            throw new KeystoreException(Reason.IO, "cannot write keystore file " + target + ": " + describe(e), e);
        }
    }

    /** {@code key} encrypted under {@code password} as a V3 file, with the standard or light scrypt cost. */
    public static byte[] encrypted(IdentityKey key, char[] password, boolean light) {
        return KeystoreJson.write((light ? withLightScrypt(Path.of(".")) : new Keystore(Path.of(".")))
                .encrypt(key, password));
    }

    /**
     * Writes {@code data} to {@code target} through a synced temporary file in {@code dir}: moved
     * over an existing file if {@code replace}, else linked into place (failing if it exists).
     */
    public static void writeAtomically(Path dir, Path target, byte[] data, boolean replace,
            FileAttribute<?>... attributes) throws IOException {
        Path tmp = Files.createTempFile(dir, ".peerkey-", ".tmp", attributes);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (replace) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createLink(target, tmp);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Mode 0600 for a new file where the file system has POSIX permissions. */
    public static FileAttribute<?>[] ownerOnly(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    /**
     * The IDs with a keystore file here, sorted. Only cheap checks (name pattern and the
     * address field); a listed file may still fail to decrypt. Other files are ignored.
     */
    public List<PeerId> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<PeerId> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!FILE_NAME.matcher(name).matches() || !Files.isRegularFile(file)) {
                    continue;
                }
                PeerId id = PeerId.parse(name.substring(0, 64));
                String address = addressField(file);
                if (address != null && address.equals(name.substring(24, 64))) {
                    ids.add(id);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new KeystoreException(Reason.IO, "cannot list keystore directory " + dir, e);
        }
        Collections.sort(ids);
        return List.copyOf(ids);
    }

    @Override
    public String toString() {
        return "Keystore[" + dir + "]";
    }

    private WalletFile encrypt(IdentityKey key, char[] password) {
        ECKeyPair pair = key.credentials().getEcKeyPair();
        String pw = new String(password); // web3j takes a String; see read()
        try {
            return lightScrypt ? Wallet.createLight(pw, pair) : Wallet.createStandard(pw, pair);
        } catch (CipherException e) {
            throw new KeystoreException(Reason.IO, "cannot encrypt the key for " + key.id(), e);
        }
    }

    private void createDir() {
        if (Files.isDirectory(dir)) {
            return; // an existing directory's permissions are the user's choice
        }
        try {
            if (isPosix()) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR); // in case the umask was odd
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new KeystoreException(Reason.IO,
                    "cannot create keystore directory " + dir + ": " + describe(e), e);
        }
    }

    private FileAttribute<?>[] fileAttributes() {
        return isPosix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    private boolean isPosix() {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String addressField(Path file) {
        try {
            return KeystoreJson.addressOnly(readBounded(file));
        } catch (KeystoreException e) {
            return null;
        }
    }

    private static byte[] readBounded(Path file) {
        String name = String.valueOf(file.getFileName());
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(MAX_FILE_SIZE + 1);
            if (data.length > MAX_FILE_SIZE) {
                throw corrupt(name, "it is far larger than any keystore");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new KeystoreException(Reason.NOT_FOUND, "keystore file " + file + " does not exist");
        } catch (IOException e) {
            throw new KeystoreException(Reason.IO,
                    "cannot read keystore file " + file + ": " + describe(e), e);
        }
    }

    private static KeystoreException corrupt(String name, String what) {
        return new KeystoreException(Reason.CORRUPT, "keystore file " + name + " is corrupt: " + what);
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
