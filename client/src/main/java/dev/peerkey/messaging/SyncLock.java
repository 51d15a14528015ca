package dev.peerkey.messaging;

import dev.peerkey.identity.PeerId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Who follows an identity's mailbox: at most one process of the profile at a time (a `listen`
 * daemon, or an `inbox` run while none is up), so handshakes are answered and mail acknowledged
 * once. Others read what it stores. Each of a profile's identities has its own lock, since each
 * has its own follower (its own handshakes, sessions and cursor). The operating system releases
 * a lock when the holder dies, even by kill -9.
 */
public final class SyncLock implements AutoCloseable {
    private static final String LISTENER = "listen.lock";
    /**
     * Lock files this JVM holds. Asked before a file is opened: on Linux, closing any channel of a
     * file drops every lock the process has on it, so a second command in the same JVM (the unlock
     * agent runs several) must not open and close a channel of a file a first one locked.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private SyncLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * The lock on {@code id}'s mailbox in the profile in {@code dir}, or empty if another process
     * (or this one) holds it.
     */
    public static Optional<SyncLock> mailbox(Path dir, PeerId id) {
        return tryAcquire(dir, "mailbox-" + id.hex().substring(2) + ".lock");
    }

    /** The lock that makes one `listen` per profile, or empty if another process holds it. */
    public static Optional<SyncLock> listener(Path dir) {
        return tryAcquire(dir, LISTENER);
    }

    /**
     * The lock on another of the profile's lock files ({@code name} in {@code dir}, e.g. `id passwd`'s),
     * or empty if another process or another command of this JVM holds it: the same guard against
     * one command's close dropping another's lock.
     */
    public static Optional<SyncLock> file(Path dir, String name) {
        return tryAcquire(dir, name);
    }

    private static Optional<SyncLock> tryAcquire(Path dir, String file) {
        Path path = null;
        try {
            dev.peerkey.PrivateDirectory.create(dir); // the profile home: 0700 if this makes it
            path = dir.resolve(file).toAbsolutePath().normalize();
            if (!HELD.add(path)) {
                return Optional.empty(); // held by another command of this JVM
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                HELD.remove(path);
                return Optional.empty();
            }
            return Optional.of(new SyncLock(path, channel, lock));
        } catch (IOException e) {
            if (path != null) {
                HELD.remove(path);
            }
            throw new MessagingException("cannot lock " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case.
        } finally {
            HELD.remove(path);
        }
    }
}
