package dev.peerkey.identity;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import dev.peerkey.PeerkeyException;

/**
 * Where a keystore password comes from, in order: a password file, the environment
 * variable value, then an interactive prompt. Returned as char[] so callers can wipe it.
 */
public final class Passwords {
    private Passwords() {
    }

    /**
     * @param passwordFileOrNull a file whose first line is the password (trailing CR/LF removed)
     * @param envValueOrNull the value of PEERKEY_PASSWORD as read by the caller; empty counts as unset
     * @param confirm ask twice and compare when prompting (for a new key)
     * @throws PeerkeyException if no password can be obtained
     */
    public static char[] resolve(Path passwordFileOrNull, String envValueOrNull, boolean confirm) {
        if (passwordFileOrNull != null) {
            return fromFile(passwordFileOrNull);
        }
        if (envValueOrNull != null && !envValueOrNull.isEmpty()) {
            return envValueOrNull.toCharArray();
        }
        return prompt(confirm);
    }

    private static char[] fromFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PeerkeyException("password file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new PeerkeyException("password file " + file + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new PeerkeyException("password file " + file + " cannot be read", e);
        }
        CharBuffer chars;
        try {
            chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new PeerkeyException("password file " + file + " is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        int end = 0;
        while (end < chars.length() && chars.charAt(end) != '\n') {
            end++;
        }
        if (end > 0 && chars.charAt(end - 1) == '\r') {
            end--; // files written on Windows
        }
        char[] password = new char[end];
        chars.get(password, 0, end);
        if (chars.hasArray()) {
            Arrays.fill(chars.array(), '\0');
        }
        if (password.length == 0) {
            throw new PeerkeyException("password file " + file + " is empty");
        }
        return password;
    }

    private static char[] prompt(boolean confirm) {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            throw new PeerkeyException("no password: use --password-file or PEERKEY_PASSWORD");
        }
        char[] first = console.readPassword(confirm ? "New keystore password: " : "Keystore password: ");
        if (first == null) {
            throw new PeerkeyException("no password: the input ended before one was entered");
        }
        if (!confirm) {
            return first;
        }
        if (first.length == 0) {
            throw new PeerkeyException("the password must not be empty");
        }
        char[] second = console.readPassword("Repeat the password: ");
        try {
            if (second == null || !Arrays.equals(first, second)) {
                Arrays.fill(first, '\0');
                throw new PeerkeyException("the two passwords do not match");
            }
            return first;
        } finally {
            if (second != null) {
                Arrays.fill(second, '\0');
            }
        }
    }

    /**
     * Since JDK 22 {@link System#console()} exists even without a terminal, and reading a
     * password from a pipe would hang or echo; Console.isTerminal (22+) tells them apart.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console is only returned for a terminal
        }
    }
}
