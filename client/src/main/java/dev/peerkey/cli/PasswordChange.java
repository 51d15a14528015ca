package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.Keystore;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.messaging.SyncLock;
import dev.peerkey.store.StoreKeyFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * `id passwd`: a profile has one password, so every file sealed under it — each key the keystore
 * holds (every identity's current, old and pending keys and the mailbox account's) and
 * {@code store.key}, which unwraps the database's key — is re-encrypted together. The database
 * itself is untouched (its key does not change), so nothing sealed with it is orphaned.
 *
 * <p>All or nothing, across a crash: the new files are first written and synced in
 * {@value #STAGED}; then a {@value #COMMIT} file is made there, and only then is each new file
 * moved over its old one (each move atomic). A crash before the commit leaves the old files and a
 * staging directory that the next command of the profile deletes; a crash after it leaves the
 * staged files that the next command moves into place. Either way every file opens with one
 * password: the old one or the new one. {@value #LOCK} keeps two changes (and the clean-up) apart.
 */
final class PasswordChange {
    static final String STAGED = ".passwd-staged";
    static final String COMMIT = "COMMIT";
    static final String LOCK = ".passwd.lock";
    private static final Pattern KEY_FILE = Pattern.compile("[0-9a-f]{64}\\.json");

    /** Tests only: called at each step ("staged", "committed", "moved NAME"); it may throw to stop there, as a crash would. */
    static Consumer<String> crashPoint = step -> { };

    private PasswordChange() {
    }

    /** What was re-encrypted. */
    record Result(int keys, boolean storeKey) { }

    /**
     * Re-encrypts every file of the profile at {@code home} from {@code oldPassword} to {@code newPassword}.
     *
     * @throws PeerkeyException if a file does not open with the old password (then nothing changed)
     */
    static Result change(Path home, char[] oldPassword, char[] newPassword) {
        Optional<SyncLock> lock = SyncLock.file(home, LOCK);
        if (lock.isEmpty()) {
            throw new PeerkeyException("another `peerkey id passwd` is changing this profile's password");
        }
        try (SyncLock held = lock.get()) {
            finishLocked(home);
            Path staged = home.resolve(STAGED);
            Files.createDirectory(staged);
            Path keystore = home.resolve("keystore");
            List<Path> keys = keyFiles(keystore);
            for (Path file : keys) {
                String name = file.getFileName().toString();
                IdentityKey key;
                try {
                    key = Keystore.read(file, oldPassword);
                } catch (KeystoreException e) {
                    deleteTree(staged);
                    throw new PeerkeyException(e.reason() == KeystoreException.Reason.WRONG_PASSWORD
                            ? "wrong password: it does not open keystore/" + name + " of this profile; nothing was changed"
                            : e.getMessage() + "; nothing was changed");
                }
                Keystore.Kdf kdf = Keystore.kdfOf(file);
                boolean light = "scrypt".equals(kdf.kdf()) && kdf.value() < Keystore.MIN_SCRYPT_N;
                Keystore.writeAtomically(staged, staged.resolve(name), Keystore.encrypted(key, newPassword, light),
                        false, Keystore.ownerOnly(staged));
            }
            Path storeKey = home.resolve(StoreKeyFile.FILE_NAME);
            boolean hasStoreKey = Files.exists(storeKey);
            if (hasStoreKey) {
                byte[] rewrapped;
                try {
                    rewrapped = StoreKeyFile.rewrapped(storeKey, oldPassword, newPassword);
                } catch (KeystoreException e) {
                    deleteTree(staged);
                    throw new PeerkeyException(e.reason() == KeystoreException.Reason.WRONG_PASSWORD
                            ? "wrong password: it does not open this profile's store key; nothing was changed"
                            : e.getMessage() + "; nothing was changed");
                }
                Keystore.writeAtomically(staged, staged.resolve(StoreKeyFile.FILE_NAME), rewrapped, false,
                        Keystore.ownerOnly(staged));
            }
            if (keys.isEmpty() && !hasStoreKey) {
                deleteTree(staged);
                throw new PeerkeyException("profile " + home + " has no keys yet: create one with `peerkey id new`");
            }
            syncDir(staged);
            crashPoint.accept("staged");
            Keystore.writeAtomically(staged, staged.resolve(COMMIT), new byte[0], false);
            syncDir(staged);
            crashPoint.accept("committed");
            rollForward(home);
            return new Result(keys.size(), hasStoreKey);
        } catch (IOException e) {
            throw new PeerkeyException("cannot change the password of " + home + ": " + e.getMessage());
        }
    }

    /**
     * Finishes or undoes a change a crash interrupted (see the class comment); a no-op if there is
     * none or if a live `id passwd` holds the lock. Called when a profile is opened.
     */
    static void finish(Path home) {
        if (!Files.isDirectory(home.resolve(STAGED))) {
            return;
        }
        // The agent runs several commands in one JVM: SyncLock's JVM-wide guard keeps a second one
        // from opening and closing the lock file, which would drop the first one's lock.
        Optional<SyncLock> lock = SyncLock.file(home, LOCK);
        if (lock.isEmpty()) {
            return;
        }
        try (SyncLock held = lock.get()) {
            finishLocked(home);
        } catch (IOException e) {
            throw new PeerkeyException("cannot finish an interrupted password change in " + home + ": "
                    + e.getMessage());
        }
    }

    private static void finishLocked(Path home) throws IOException {
        Path staged = home.resolve(STAGED);
        if (!Files.isDirectory(staged)) {
            return;
        }
        if (Files.exists(staged.resolve(COMMIT))) {
            rollForward(home);
        } else {
            deleteTree(staged);
        }
    }

    private static void rollForward(Path home) throws IOException {
        Path staged = home.resolve(STAGED);
        Path keystore = home.resolve("keystore");
        List<Path> files;
        try (Stream<Path> list = Files.list(staged)) {
            files = list.filter(f -> !f.getFileName().toString().equals(COMMIT)
                    && !f.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            Path target = name.equals(StoreKeyFile.FILE_NAME) ? home.resolve(name) : keystore.resolve(name);
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            crashPoint.accept("moved " + name);
        }
        syncDir(keystore);
        syncDir(home);
        Files.delete(staged.resolve(COMMIT));
        deleteTree(staged);
    }

    private static List<Path> keyFiles(Path keystore) throws IOException {
        if (!Files.isDirectory(keystore)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(keystore)) {
            list.filter(f -> KEY_FILE.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f))
                    .sorted().forEach(files::add);
        }
        return files;
    }

    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system syncs a directory; the files themselves were synced
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
