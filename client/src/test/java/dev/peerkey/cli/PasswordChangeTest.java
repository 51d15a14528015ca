package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.Keystore;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.StoreKeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `id passwd` stopped at each step, as a crash would stop it: the next opening of the profile
 * finds every file under one password, the old one before the commit, the new one after it, and
 * the database's key unchanged.
 */
class PasswordChangeTest {
    private static final char[] OLD = "correct horse".toCharArray();
    private static final char[] NEW = "battery staple".toCharArray();

    /** What a crash does to the running `id passwd`: it simply stops. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @TempDir
    Path home;

    private List<PeerId> keys;
    private byte[] sealed;

    @BeforeEach
    void profileWithTwoIdentitiesAndAnExtraKey() {
        Profile profile = new Profile(home, true);
        IdentityKey a = IdentityKey.generate();
        IdentityKey b = IdentityKey.generate();
        IdentityKey pending = IdentityKey.generate(); // e.g. a rotation's next key, or the mailbox account's
        profile.addIdentity(a, OLD);
        profile.addIdentity(b, OLD);
        profile.storeKey(pending, OLD);
        keys = List.of(a.id(), b.id(), pending.id());
        sealed = profile.unlockStore(OLD).seal("test", "a sealed secret".getBytes());
    }

    @AfterEach
    void noMoreCrashes() {
        PasswordChange.crashPoint = step -> { };
    }

    private void assertAllOpenWith(char[] password, char[] notWith) {
        Keystore keystore = new Keystore(home.resolve("keystore"));
        for (PeerId id : keys) {
            assertEquals(id, keystore.load(id, password).id());
            KeystoreException e = assertThrows(KeystoreException.class, () -> keystore.load(id, notWith));
            assertEquals(KeystoreException.Reason.WRONG_PASSWORD, e.reason());
        }
        StoreKey key = StoreKeyFile.unlock(home.resolve(StoreKeyFile.FILE_NAME), password);
        assertTrue(Arrays.equals("a sealed secret".getBytes(), key.open("test", sealed)),
                "the database's key is the same: nothing sealed is orphaned");
        assertThrows(KeystoreException.class, () -> StoreKeyFile.unlock(home.resolve(StoreKeyFile.FILE_NAME), notWith));
        assertFalse(Files.exists(home.resolve(PasswordChange.STAGED)));
    }

    @Test
    void aCompleteChangeMovesEveryFile() {
        PasswordChange.Result result = PasswordChange.change(home, OLD, NEW);
        assertEquals(3, result.keys());
        assertTrue(result.storeKey());
        assertAllOpenWith(NEW, OLD);
    }

    @Test
    void aCrashBeforeTheCommitLeavesTheOldPassword() {
        PasswordChange.crashPoint = step -> {
            if (step.equals("staged")) {
                throw new Crash();
            }
        };
        assertThrows(Crash.class, () -> PasswordChange.change(home, OLD, NEW));
        assertTrue(Files.isDirectory(home.resolve(PasswordChange.STAGED)));
        PasswordChange.crashPoint = step -> { };
        new Profile(home, false); // the next command
        assertAllOpenWith(OLD, NEW);
    }

    @Test
    void aCrashAfterTheCommitBetweenTwoMovesEndsWithTheNewPassword() {
        int[] moves = {0};
        PasswordChange.crashPoint = step -> {
            if (step.startsWith("moved ") && ++moves[0] == 2) {
                throw new Crash();
            }
        };
        assertThrows(Crash.class, () -> PasswordChange.change(home, OLD, NEW));
        PasswordChange.crashPoint = step -> { };
        new Profile(home, false);
        assertAllOpenWith(NEW, OLD);
    }

    @Test
    void aWrongOldPasswordChangesNothing() {
        assertThrows(dev.peerkey.PeerkeyException.class, () -> PasswordChange.change(home, "nope".toCharArray(), NEW));
        assertAllOpenWith(OLD, NEW);
    }

    /**
     * The unlock agent runs several commands in one JVM, each opening the profile: a second one's
     * {@link PasswordChange#finish} must neither roll forward nor, by opening and closing the lock
     * file, drop the lock of a first one still rolling forward (Linux drops every lock a process has
     * on a file when any of its channels of it closes). Another process finds the lock still taken.
     */
    @Test
    void aSecondFinishInThisJvmNeitherRollsForwardNorDropsTheFirstOnesLock() throws Exception {
        PasswordChange.crashPoint = step -> {
            if (step.equals("committed")) {
                throw new Crash();
            }
        };
        assertThrows(Crash.class, () -> PasswordChange.change(home, OLD, NEW)); // a crashed `id passwd`
        java.util.concurrent.CountDownLatch moving = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
        PasswordChange.crashPoint = step -> {
            if (step.startsWith("moved ") && moving.getCount() > 0) {
                moving.countDown();
                try {
                    goOn.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread first = Thread.ofPlatform().start(() -> PasswordChange.finish(home)); // one agent command
        moving.await();
        PasswordChange.finish(home); // a second one, meanwhile: the lock is taken, it does nothing
        assertEquals("held", lockFromAnotherProcess(home.resolve(PasswordChange.LOCK)),
                "the first command's lock was dropped");
        goOn.countDown();
        first.join();
        PasswordChange.crashPoint = step -> { };
        assertAllOpenWith(NEW, OLD);
        assertEquals("free", lockFromAnotherProcess(home.resolve(PasswordChange.LOCK)));
    }

    /** Tries the lock on {@code file} from a new JVM: "held" or "free". */
    private String lockFromAnotherProcess(Path file) throws Exception {
        Path source = Files.writeString(home.getParent().resolve("TryLock.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                class TryLock {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                            var lock = c.tryLock();
                            System.out.print(lock == null ? "held" : "free");
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
