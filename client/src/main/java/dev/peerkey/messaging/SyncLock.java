package dev.peerkey.messaging;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Who follows a profile's mailbox: at most one process at a time (a `listen` daemon, or an
 * `inbox` run while none is up), so handshakes are answered and mail acknowledged once. Others
 * read what it stores. The operating system releases the lock when the holder dies, even by kill -9.
 */
public final class SyncLock implements AutoCloseable {
    private static final String FILE = "mailbox.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private SyncLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock for the profile in {@code dir}, or empty if another process (or this one) holds it. */
    public static Optional<SyncLock> tryAcquire(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new SyncLock(channel, lock));
        } catch (IOException e) {
            throw new MessagingException("cannot lock " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case.
        }
    }
}
