package dev.peerkey.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashWriter} in its own JVM. Its standard output goes straight to a file rather than
 * a pipe: a line the child wrote before SIGKILL is then certainly there to read, whereas the
 * JDK may drop pipe data that is still unread when the process dies.
 */
final class ChildJvm implements AutoCloseable {
    final Process process;
    private final Path out;

    ChildJvm(Path db, byte[] session, long steps, Path dir, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.out = dir.resolve(name + ".out");
        process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), db.toString(), HexFormat.of().formatHex(session), String.valueOf(steps)))
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
    }

    /** Waits until the child reports its first commit; false if it ended or hung before that. */
    boolean awaitFirstCommit() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean alive = process.isAlive();
            if (lastCommitted() > 0) {
                return true;
            }
            if (!alive) {
                return false;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** Waits for the child to end; returns its exit code. */
    int await() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 120 s");
        }
        return process.exitValue();
    }

    /** The last counter value the child printed after a commit (complete lines only). */
    long lastCommitted() {
        try {
            String text = Files.readString(out, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return 0;
            }
            int start = text.lastIndexOf('\n', end - 1) + 1;
            return Long.parseLong(text.substring(start, end).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** What the child wrote to standard error, for failure messages. */
    String errors() {
        try {
            return Files.readString(out.resolveSibling(out.getFileName().toString().replace(".out", ".err")));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
