package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One follower per mailbox, also between commands that share a JVM (the unlock agent's). */
class SyncLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondCommandInThisJvmNeitherGetsNorDropsTheLock() throws Exception {
        PeerId id = PeerId.of(new byte[32]);
        Optional<SyncLock> first = SyncLock.mailbox(dir, id);
        assertTrue(first.isPresent());
        assertTrue(SyncLock.mailbox(dir, id).isEmpty()); // refused without opening the file
        assertTrue(SyncLock.mailbox(dir.resolve(".").resolve(dir.getFileName().toString()).getParent(), id).isEmpty());
        first.get().close();
        Optional<SyncLock> again = SyncLock.mailbox(dir, id);
        assertTrue(again.isPresent(), "the lock is free once its holder closed it");
        again.get().close();
    }
}
