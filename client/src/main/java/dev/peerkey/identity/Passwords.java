package dev.peerkey.identity;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * Where a keystore password comes from, in order: standard input (--password-stdin), a password
 * file, the environment variable value, then an interactive prompt, read from the terminal even
 * when stdout is redirected (as ssh and gpg do). Returned as char[] so callers can wipe it.
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
        return resolve(false, passwordFileOrNull, envValueOrNull, confirm);
    }

    /** As {@link #resolve(Path, String, boolean)}, first from standard input if {@code fromStdin}. */
    public static char[] resolve(boolean fromStdin, Path passwordFileOrNull, String envValueOrNull, boolean confirm) {
        if (fromStdin) {
            return fromStream(System.in);
        }
        if (passwordFileOrNull != null) {
            return fromFile(passwordFileOrNull);
        }
        if (envValueOrNull != null && !envValueOrNull.isEmpty()) {
            return envValueOrNull.toCharArray();
        }
        return prompt(confirm ? "New keystore password: " : "Keystore password: ", confirm);
    }

    /** {@link #resolve(Path, String, boolean)} with {@code tty} as the controlling terminal (tests pass none). */
    static char[] resolve(Path passwordFileOrNull, String envValueOrNull, boolean confirm, File tty) {
        if (given(false, passwordFileOrNull, envValueOrNull)) {
            return resolve(passwordFileOrNull, envValueOrNull, confirm);
        }
        return prompt(confirm ? "New keystore password: " : "Keystore password: ", confirm, tty);
    }

    /** Whether a password can be given without a prompt (stdin, a file or the environment value). */
    public static boolean given(boolean fromStdin, Path passwordFileOrNull, String envValueOrNull) {
        return fromStdin || passwordFileOrNull != null || (envValueOrNull != null && !envValueOrNull.isEmpty());
    }

    /**
     * The first line of {@code in} (trailing CR removed), read byte by byte so that the rest of
     * the stream stays for the command (e.g. `chat` reading messages).
     */
    public static char[] fromStream(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        byte[] bytes = null;
        try {
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            bytes = line.toByteArray();
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            if (end == 0) {
                throw new PeerkeyException("no password on standard input (--password-stdin reads its first line)");
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, end));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return password;
        } catch (CharacterCodingException e) {
            throw new PeerkeyException("the password on standard input is not valid UTF-8");
        } catch (IOException e) {
            throw new PeerkeyException("cannot read the password from standard input: " + e.getMessage());
        } finally {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
            line.reset(); // its buffer keeps the bytes, but is unreachable from here on
        }
    }

    /** Whether a prompt can be shown: a terminal on stdin and stdout, or a controlling terminal (/dev/tty). */
    public static boolean canPrompt() {
        Console console = System.console();
        return (console != null && isTerminal(console)) || tty(new File("/dev/tty")).isPresent();
    }

    /**
     * Asks for a password with {@code promptText}: on the console when stdin and stdout are a
     * terminal, else on the controlling terminal (/dev/tty), echo off either way.
     *
     * @throws PeerkeyException if there is no terminal to ask on
     */
    public static char[] prompt(String promptText, boolean confirm) {
        return prompt(promptText, confirm, new File("/dev/tty"));
    }

    static char[] prompt(String promptText, boolean confirm, File ttyFile) {
        Console console = System.console();
        if (console != null && isTerminal(console)) {
            return ask(console::readPassword, promptText, confirm);
        }
        File tty = tty(ttyFile).orElseThrow(() -> new PeerkeyException(
                "no password: use --password-file or PEERKEY_PASSWORD (or --password-stdin), or unlock the"
                        + " profile from a terminal first (`peerkey unlock`)"));
        return ask(text -> readFromTty(tty, text), promptText, confirm);
    }

    private static char[] ask(Reader reader, String promptText, boolean confirm) {
        char[] first = reader.read(promptText);
        if (first == null) {
            throw new PeerkeyException("no password: the input ended before one was entered");
        }
        if (!confirm) {
            return first;
        }
        if (first.length == 0) {
            throw new PeerkeyException("the password must not be empty");
        }
        char[] second = reader.read("Repeat the password: ");
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

    private interface Reader {
        char[] read(String promptText);
    }

    /** The controlling terminal, if this process has one (Linux, macOS and the BSDs). */
    private static java.util.Optional<File> tty(File tty) {
        if (!tty.exists()) {
            return java.util.Optional.empty();
        }
        try (FileInputStream probe = new FileInputStream(tty)) {
            return java.util.Optional.of(tty);
        } catch (IOException e) {
            return java.util.Optional.empty(); // ENXIO: no controlling terminal
        }
    }

    /** Reads a line from the terminal with echo off (stty, as a shell's `read -s` does). */
    private static char[] readFromTty(File tty, String promptText) {
        try (FileInputStream in = new FileInputStream(tty); FileOutputStream out = new FileOutputStream(tty)) {
            out.write(promptText.getBytes(StandardCharsets.UTF_8));
            out.flush();
            boolean silenced = stty(tty, "-echo");
            Thread restore = new Thread(() -> stty(tty, "echo"));
            if (silenced) {
                Runtime.getRuntime().addShutdownHook(restore); // Ctrl-C at the prompt keeps the terminal usable
            }
            try {
                return fromLine(in);
            } finally {
                if (silenced) {
                    stty(tty, "echo");
                    Runtime.getRuntime().removeShutdownHook(restore);
                }
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            throw new PeerkeyException("cannot read the password from the terminal: " + e.getMessage());
        }
    }

    /**
     * One line (possibly empty) of UTF-8, for the prompt: unlike --password-stdin an empty answer is
     * an answer. Null if the input ends first.
     */
    private static char[] fromLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        try {
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return password;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static boolean stty(File tty, String setting) {
        try {
            Process p = new ProcessBuilder("stty", setting).redirectInput(tty)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
