package dev.peerkey.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The real CLI run as a separate process on a pseudo-terminal, as a person at a terminal runs it:
 * util-linux {@code script} makes the terminal (present wherever Linux is; no tmux, no library),
 * the test types keystrokes into it and reads what the screen got, escape sequences and all.
 */
public final class Pty implements AutoCloseable {
    /** Terminal control sequences (CSI, SS3, OSC, charset and keypad switches), for reading the screen as text. */
    private static final Pattern CONTROLS = Pattern.compile(
            "\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(\u0007|\u001b\\\\)|\u001bO.|\u001b[()][0-9A-Za-z]|\u001b[=>78]");

    private final Process process;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final Thread reader;

    private Pty(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().start(() -> copy(process.getInputStream()));
    }

    /** Starts {@code peerkey args...} with {@code env} on a new 120x40 terminal. */
    public static Pty start(Map<String, String> env, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                TestChain.projectRoot().resolve("client/target/peerkey.jar").toString()));
        command.addAll(List.of(args));
        StringBuilder shell = new StringBuilder("stty cols 120 rows 40; exec");
        command.forEach(word -> shell.append(' ').append(quote(word)));
        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", shell.toString(), "/dev/null")
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("PEERKEY_"));
        builder.environment().put("PEERKEY_ROOT", TestChain.projectRoot().toString());
        builder.environment().put("TERM", "xterm-256color");
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().putAll(env);
        try {
            return new Pty(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Everything the terminal received so far, escape sequences included. */
    public String raw() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    /** What the terminal received, control sequences removed and line ends made "\n". */
    public String text() {
        return CONTROLS.matcher(raw()).replaceAll("").replace("\r\n", "\n");
    }

    /** Types keystrokes (e.g. "hi\r", "\u001b[D" for Left, "\u0004" for Ctrl-D). */
    public void type(String keys) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(keys.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the screen's text (see {@link #text}) contains {@code expected}; fails after {@code seconds}. */
    public String await(String expected, int seconds) {
        return awaitText(t -> t.contains(expected), "'" + expected + "'", seconds);
    }

    /** Waits until the screen's text passes {@code condition}; fails after {@code seconds}. */
    public String awaitText(Predicate<String> condition, String what, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String text = text();
            if (condition.test(text)) {
                return text;
            }
            if (!process.isAlive()) {
                break;
            }
            pause();
        }
        throw new AssertionError("no " + what + " on the terminal within " + seconds + " s (alive: "
                + process.isAlive() + ")\nscreen:\n" + text());
    }

    /** Waits for the command to end (e.g. after Ctrl-D); returns its exit code. */
    public int awaitExit(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("the command did not end within " + seconds + " s\nscreen:\n" + text());
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
