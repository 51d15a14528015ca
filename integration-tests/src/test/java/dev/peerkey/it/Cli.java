package dev.peerkey.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real CLI (client/target/peerkey.jar) as a separate process. */
public final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + stdout + "\nstderr: " + stderr, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    private final Map<String, String> env;

    public Cli(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** A command left running in the background (e.g. `listen`), with its output in files. */
    public static final class Background implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public String stdout() {
            return read(out);
        }

        public String stderr() {
            return read(err);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits until stdout contains {@code text}, or fails after {@code seconds}. */
        public String awaitStdout(String text, int seconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String current = stdout();
                if (current.contains(text)) {
                    return current;
                }
                if (!process.isAlive()) {
                    break;
                }
                pause();
            }
            throw new AssertionError("no '" + text + "' on stdout within " + seconds + " s\nstdout: " + stdout()
                    + "\nstderr: " + stderr());
        }

        /** Waits until stderr contains {@code text}, or fails after {@code seconds}. */
        public String awaitStderr(String text, int seconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (stderr().contains(text)) {
                    return stderr();
                }
                pause();
            }
            throw new AssertionError("no '" + text + "' on stderr within " + seconds + " s\nstderr: " + stderr());
        }

        /** Types one line on the command's standard input (started with {@link Cli#startTyping}). */
        public void type(String line) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Ends the command's standard input (Ctrl-D) and waits for it to exit; returns its exit code. */
        public int endInput() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the command did not end after its input did\nstderr: " + stderr());
                }
                return process.exitValue();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Waits for the command to end by itself (at most 5 minutes, as {@link Cli#run}); returns its exit code. */
        public int awaitExit() {
            try {
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    throw new AssertionError("the command did not end\nstderr: " + stderr());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** kill -9: no shutdown hooks, no cleanup. */
        public void kill() {
            process.destroyForcibly();
            waitForExit();
        }

        @Override
        public void close() {
            process.destroy();
            waitForExit();
        }

        private void waitForExit() {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
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

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Starts a command and returns at once; close() stops it (SIGTERM), kill() is kill -9. */
    public Background start(String... args) {
        try {
            Path out = Files.createTempFile("peerkey-cli", ".out");
            Path err = Files.createTempFile("peerkey-cli", ".err");
            return new Background(builder(out, err, args).start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #start}, with standard input a pipe the test types into (piped, not a terminal). */
    public Background startTyping(String... args) {
        try {
            Path out = Files.createTempFile("peerkey-cli", ".out");
            Path err = Files.createTempFile("peerkey-cli", ".err");
            return new Background(builder(out, err, args).redirectInput(ProcessBuilder.Redirect.PIPE).start(), out,
                    err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder builder(Path out, Path err, String... args) {
        Path jar = TestChain.projectRoot().resolve("client/target/peerkey.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(
                List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(key -> key.startsWith("PEERKEY_"));
        builder.environment().put("PEERKEY_ROOT", TestChain.projectRoot().toString());
        builder.environment().putAll(env);
        return builder;
    }

    public Result run(String... args) {
        return runWithInput(Path.of("/dev/null"), args);
    }

    /** Runs a command with {@code input} as its standard input (e.g. the lines typed into `chat`). */
    public Result runWithInput(Path input, String... args) {
        try {
            Path out = Files.createTempFile("peerkey-cli", ".out");
            Path err = Files.createTempFile("peerkey-cli", ".err");
            Process process = builder(out, err, args).redirectInput(input.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("CLI did not finish: " + List.of(args));
            }
            Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
