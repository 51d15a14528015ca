package dev.peerkey.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A socket someone else could have planted in the profile is refused, not asked for keys. */
class AgentSocketTest {
    @TempDir
    Path home;

    @Test
    void aSocketInADirectoryOthersCanWriteIsRefused() throws IOException {
        Path dir = Files.createDirectory(home.resolve(Agent.DIRECTORY),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createFile(dir.resolve(Agent.SOCKET)); // what a planted agent's socket looks like before connecting
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> Agent.of(home).storeKey());
        assertTrue(e.getMessage().startsWith("refusing the unlock agent's socket"), e.getMessage());
        assertTrue(e.getMessage().contains("rwxrwxrwx"), e.getMessage());
    }

    @Test
    void anOwnerOnlyDirectoryPassesTheCheck() throws IOException {
        Path dir = home.resolve(Agent.DIRECTORY);
        Agent.privateDirectory(dir);
        Files.createFile(dir.resolve(Agent.SOCKET));
        Agent.checkPrivate(dir.resolve(Agent.SOCKET)); // ours, owner-only: no exception
    }
}
