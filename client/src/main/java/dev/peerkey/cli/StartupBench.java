package dev.peerkey.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.PeerkeyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey bench startup`: the wall time of whole CLI processes, as a user sees them, locked and
 * unlocked (see `peerkey unlock`).
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = {"Start a local chain (`chain start` in a temporary --chain-dir), deploy, make two profiles"
                + " (standard scrypt) with a session between them, then time whole CLI processes run through the"
                + " launcher: --help, id show, lookup, sessions and send to the established session, with the"
                + " profile locked (password from a file) and unlocked (`peerkey unlock`, no password given: the"
                + " unlock agent runs these commands itself)."
                + " Each command runs once to warm up (the launcher's class archive), then --runs times;"
                + " prints the median and 90th percentile wall time in milliseconds."})
final class StartupBench implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    GlobalOptions options;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs per command (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--launcher", paramLabel = "FILE",
            description = "The launcher to time (default: the peerkey script of this checkout), e.g. another"
                    + " checkout's, to compare versions.")
    Path launcher;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "Another checkout's launcher (e.g. before a change) to time too, interleaved run by run with"
                    + " this one on the same profiles, so that the machine's load weighs on both alike.")
    Path baseline;

    private Path dir;
    private Path password;

    /** One row of the table. */
    private record Row(String version, String command, String state, long[] millis) { }

    @Override
    public void run() {
        if (runs < 1) {
            throw new UsageException("--runs must be at least 1");
        }
        Output out = new Output(options.json);
        Path script = launcher != null ? launcher.toAbsolutePath() : ProjectRoot.find().resolve("peerkey");
        if (!Files.isExecutable(script)) {
            throw new PeerkeyException("no launcher at " + script);
        }
        List<Row> rows = new ArrayList<>();
        try {
            dir = Files.createTempDirectory("peerkey-startup");
            password = dir.resolve("password");
            Files.writeString(password, "bench-" + System.nanoTime() + "\n");
            Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
            Path alice = dir.resolve("alice");
            Path bob = dir.resolve("bob");
            out.progress("starting a local chain and deploying…");
            must(script, alice, true, "chain", "start");
            try {
                must(script, alice, true, "deploy");
                out.progress("two profiles, registered, with a session (standard scrypt: this takes a while)…");
                String aliceId = id(must(script, alice, true, "id", "new", "--no-recovery", "--json"));
                must(script, alice, true, "register");
                String bobId = id(must(script, bob, true, "id", "new", "--no-recovery", "--json"));
                must(script, bob, true, "register", "--relayed");
                run(script, alice, true, "auth", bobId, "--timeout", "1s"); // pending until Bob accepts
                must(script, bob, true, "accept", aliceId);
                must(script, alice, true, "inbox");
                must(script, bob, true, "inbox");
                must(script, alice, true, "send", bobId, "first");

                out.progress("timing, locked (" + runs + " runs each)…");
                rows.addAll(time(script, alice, true, "--help", "-", "--help"));
                rows.addAll(time(script, alice, true, "id show", "-", "id", "show"));
                rows.addAll(time(script, alice, true, "lookup", "locked", "lookup", bobId));
                rows.addAll(time(script, alice, true, "sessions", "locked", "sessions"));
                rows.addAll(time(script, alice, true, "send", "locked", "send", bobId, "hello"));
                Result unlock = run(script, alice, true, "unlock", "--for", "1h");
                if (unlock.exit != 0) {
                    out.progress("warning: unlock failed, no unlocked figures: " + unlock.stderr.strip());
                } else {
                    out.progress("timing, unlocked…");
                    baseline = null; // the baseline has no unlock of its own to compare with
                    rows.addAll(time(script, alice, false, "id show", "unlocked", "id", "show"));
                    rows.addAll(time(script, alice, false, "lookup", "unlocked", "lookup", bobId));
                    rows.addAll(time(script, alice, false, "sessions", "unlocked", "sessions"));
                    rows.addAll(time(script, alice, false, "send", "unlocked", "send", bobId, "hello"));
                    run(script, alice, false, "lock");
                }
            } finally {
                run(script, alice, false, "chain", "stop");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
        print(out, rows);
    }

    private void print(Output out, List<Row> rows) {
        if (options.json) {
            var fields = Output.fields();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Row row : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("launcher", row.version);
                m.put("command", row.command);
                m.put("state", row.state);
                m.put("p50", percentile(row.millis, 50));
                m.put("p90", percentile(row.millis, 90));
                m.put("runs", row.millis.length);
                list.add(m);
            }
            fields.put("rows", list);
            out.result(fields);
            return;
        }
        out.text(String.format("%-9s %-10s %-9s %8s %8s %5s", "launcher", "command", "profile", "p50 ms", "p90 ms",
                "runs"));
        for (Row row : rows) {
            out.text(String.format("%-9s %-10s %-9s %8d %8d %5d", row.version, row.command, row.state,
                    percentile(row.millis, 50), percentile(row.millis, 90), row.millis.length));
        }
    }

    /** Nearest-rank percentile. */
    static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** This launcher's row and, with --baseline, the baseline's, their runs interleaved. */
    private List<Row> time(Path script, Path home, boolean withPassword, String label, String state, String... args) {
        Path base = baseline == null ? null : baseline.toAbsolutePath();
        must(script, home, withPassword, args); // warm-up
        if (base != null) {
            must(base, home, withPassword, args);
        }
        long[] millis = new long[runs];
        long[] baseMillis = new long[runs];
        for (int i = 0; i < runs; i++) {
            if (base != null) {
                baseMillis[i] = must(base, home, withPassword, args).millis;
            }
            millis[i] = must(script, home, withPassword, args).millis;
        }
        List<Row> rows = new ArrayList<>();
        if (base != null) {
            rows.add(new Row("baseline", label, state, baseMillis));
        }
        rows.add(new Row("this", label, state, millis));
        return rows;
    }

    private record Result(int exit, String stdout, String stderr, long millis) { }

    private Result must(Path script, Path home, boolean withPassword, String... args) {
        Result result = run(script, home, withPassword, args);
        if (result.exit != 0) {
            throw new PeerkeyException("`peerkey " + String.join(" ", args) + "` failed (exit " + result.exit + "): "
                    + result.stderr.strip());
        }
        return result;
    }

    /** Runs the launcher as a user would, stdin empty, with the password in a file or none at all. */
    private Result run(Path script, Path home, boolean withPassword, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        try {
            Path stdout = Files.createTempFile(dir, "out", ".txt");
            Path stderr = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(key -> key.startsWith("PEERKEY_"));
            env.put("PEERKEY_HOME", home.toString());
            env.put("PEERKEY_CHAIN_DIR", dir.resolve("chain").toString());
            if (withPassword) {
                env.put("PEERKEY_PASSWORD_FILE", password.toString());
            }
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new PeerkeyException("`peerkey " + String.join(" ", args) + "` did not finish in 5 minutes");
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            Result result = new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8), millis);
            Files.delete(stdout);
            Files.delete(stderr);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerkeyException("interrupted");
        }
    }

    private static String id(Result created) {
        try {
            JsonNode node = JSON.readTree(created.stdout);
            return node.path("id").asText();
        } catch (IOException e) {
            throw new PeerkeyException("`id new --json` printed no JSON: " + created.stdout);
        }
    }

    private static void deleteQuietly(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
