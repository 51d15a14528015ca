package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.peerkey.PeerkeyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordsTest {
    @TempDir
    Path tmp;

    private Path file(String content) throws IOException {
        Path f = Files.createTempFile(tmp, "pw", ".txt");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void firstLineOfTheFileWithoutItsNewline() throws IOException {
        assertArrayEquals("s3cret".toCharArray(), Passwords.resolve(file("s3cret\n"), null, false));
        assertArrayEquals("s3cret".toCharArray(), Passwords.resolve(file("s3cret"), null, true));
        assertArrayEquals("s3cret".toCharArray(), Passwords.resolve(file("s3cret\r\n"), null, false));
        assertArrayEquals("first".toCharArray(), Passwords.resolve(file("first\nsecond\n"), null, false));
        // Inner and trailing spaces are part of the password.
        assertArrayEquals(" pässwörd ".toCharArray(), Passwords.resolve(file(" pässwörd \n"), null, false));
    }

    @Test
    void theFileWinsOverTheEnvironment() throws IOException {
        assertArrayEquals("fromfile".toCharArray(), Passwords.resolve(file("fromfile\n"), "fromenv", false));
    }

    @Test
    void anEmptyFileIsAnError() throws IOException {
        Path empty = file("");
        assertEquals("password file " + empty + " is empty",
                assertThrows(PeerkeyException.class, () -> Passwords.resolve(empty, "fromenv", false)).getMessage());
        Path newlineOnly = file("\n");
        assertEquals("password file " + newlineOnly + " is empty",
                assertThrows(PeerkeyException.class, () -> Passwords.resolve(newlineOnly, null, false)).getMessage());
    }

    @Test
    void aMissingFileIsAnErrorEvenWithTheEnvironmentSet() {
        Path missing = tmp.resolve("nope.txt");
        assertEquals("password file " + missing + " does not exist",
                assertThrows(PeerkeyException.class, () -> Passwords.resolve(missing, "fromenv", false)).getMessage());
    }

    @Test
    void aDirectoryOrInvalidUtf8IsAnError() throws IOException {
        assertThrows(PeerkeyException.class, () -> Passwords.resolve(tmp, null, false));
        Path bad = tmp.resolve("latin1.txt");
        Files.write(bad, new byte[] {'p', (byte) 0xe4, 's', 's'});
        assertEquals("password file " + bad + " is not valid UTF-8",
                assertThrows(PeerkeyException.class, () -> Passwords.resolve(bad, null, false)).getMessage());
    }

    @Test
    void environmentValueIsUsedWithoutAFile() {
        assertArrayEquals("fromenv".toCharArray(), Passwords.resolve(null, "fromenv", true));
    }

    @Test
    void withoutFileEnvironmentOrConsoleTheErrorSaysWhatToDo() {
        java.io.File noTerminal = tmp.resolve("no-tty").toFile();
        String expected = "no password: use --password-file or PEERKEY_PASSWORD (or --password-stdin), or unlock the"
                + " profile from a terminal first (`peerkey unlock`)";
        assertEquals(expected, assertThrows(PeerkeyException.class,
                () -> Passwords.resolve(null, null, false, noTerminal)).getMessage());
        assertEquals(expected, assertThrows(PeerkeyException.class,
                () -> Passwords.resolve(null, "", true, noTerminal)).getMessage());
    }

    private static char[] fromStdin(String input) {
        return Passwords.fromStream(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void passwordStdinReadsOneLineAndLeavesTheRest() {
        assertArrayEquals("s3cret".toCharArray(), fromStdin("s3cret\n"));
        assertArrayEquals("s3cret".toCharArray(), fromStdin("s3cret\r\n"));
        assertArrayEquals(" pässwörd ".toCharArray(), fromStdin(" pässwörd "));
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(
                "pw\nhello\n".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("pw".toCharArray(), Passwords.fromStream(in));
        assertEquals("hello\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("no password on standard input (--password-stdin reads its first line)",
                assertThrows(PeerkeyException.class, () -> fromStdin("")).getMessage());
        assertEquals("no password on standard input (--password-stdin reads its first line)",
                assertThrows(PeerkeyException.class, () -> fromStdin("\nsecond\n")).getMessage());
    }
}
