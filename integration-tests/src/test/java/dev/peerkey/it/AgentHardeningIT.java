package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack report's findings on the unlock agent and the profile home, each run against the real
 * processes: a closed stdout does not change a command's exit code nor cancel it (F7), a client
 * whose output charset is not the agent's gets a local run's bytes (F5), the agent works and would
 * leave a crash report in its private directory (F9), and `id new` checks again a home someone
 * made while the password was typed (F4).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentHardeningIT {
    private static final String PASSWORD = "correct horse";
    /** Any PEERKEY_ variable the agent does not know keeps a command in its own process: a local run. */
    private static final Map<String, String> LOCAL = Map.of("PEERKEY_LOCAL_RUN_FOR_THE_TEST", "1");

    @TempDir
    static Path dir;

    private static Map<String, String> shared;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;

    @BeforeAll
    static void twoProfilesWithASession() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, PASSWORD + "\n");
        shared = Map.of("PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(), "LC_ALL", "C.UTF-8");
        alice = new Cli(env("alice", password));
        bob = new Cli(env("bob", password));
        ok(alice, "chain", "start", "--node", "anvil");
        ok(alice, "deploy");
        aliceId = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(alice, "register");
        bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register", "--relayed");
        assertEquals(1, alice.run("auth", bobId, "--timeout", "1s").exitCode()); // waits for Bob's consent
        ok(bob, "accept", aliceId);
        ok(alice, "inbox");
        ok(bob, "inbox");
        ok(alice, "unlock", "--for", "30m");
    }

    @AfterAll
    static void stop() {
        alice.run("lock");
        alice.run("chain", "stop");
    }

    private static Map<String, String> env(String profile, Path password) {
        Map<String, String> env = new HashMap<>(shared);
        env.put("PEERKEY_HOME", home(profile).toString());
        if (password != null) {
            env.put("PEERKEY_PASSWORD_FILE", password.toString());
        }
        return env;
    }

    /** Alice's environment without a password (only the agent can help), plus {@code more}. */
    private static Map<String, String> aliceBare(Map<String, String> more) {
        Map<String, String> env = env("alice", null);
        env.putAll(more);
        return env;
    }

    private static Path home(String profile) {
        return dir.resolve(profile);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    /** How many commands the agent of Alice's profile ran to their end (its raw status request). */
    private static int commandsRun() throws IOException {
        Path socket = home("alice").resolve("agent/agent.sock");
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(channel).write(("{\"v\":1,\"op\":\"status\",\"profile\":\""
                    + home("alice").toRealPath() + "\"}\n").getBytes(StandardCharsets.UTF_8));
            channel.shutdownOutput();
            String status = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            return new ObjectMapper().readTree(status).path("commandsRun").asInt(-1);
        }
    }

    private static List<String> javaCommand(String... args) {
        Path jar = TestChain.projectRoot().resolve("client/target/peerkey.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(
                List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static ProcessBuilder builder(Map<String, String> env, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(key -> key.startsWith("PEERKEY_"));
        builder.environment().put("PEERKEY_ROOT", TestChain.projectRoot().toString());
        builder.environment().putAll(env);
        return builder;
    }

    /**
     * Runs the CLI with its stdout a pipe whose reader has closed it already, as {@code | head -1}
     * or {@code | true} leaves it: the command starts only once the reader is gone, so every write
     * to stdout fails. Returns the CLI's exit code and stderr.
     */
    private static Cli.Result intoAClosedPipe(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path flag = dir.resolve("reader-gone-" + System.nanoTime());
        Path out = Files.createTempFile(dir, "pipe", ".out");
        Path err = Files.createTempFile(dir, "pipe", ".err");
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "flag=$1; shift; ( while [ ! -e \"$flag\" ]; do sleep 0.05; done; exec \"$@\" )"
                        + " | ( exec 0<&-; : > \"$flag\" ); echo \"${PIPESTATUS[0]}\"", "bash", flag.toString()));
        command.addAll(javaCommand(args));
        Process process = builder(env, command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the CLI did not finish");
        return new Cli.Result(Integer.parseInt(Files.readString(out).strip()), "", Files.readString(err));
    }

    /** F7: `send … | head -1` exits as a local run does, and the message is sent once, not cancelled. */
    @Test
    @Order(1)
    void aClosedStdoutNeitherChangesTheExitCodeNorCancelsTheCommand() throws Exception {
        int before = commandsRun();
        Cli.Result inAgent = intoAClosedPipe(aliceBare(Map.of()), "send", bobId, "piped from the agent");
        assertEquals(before + 1, commandsRun(), "the agent ran it");
        Map<String, String> local = new HashMap<>(LOCAL);
        local.put("PEERKEY_PASSWORD_FILE", dir.resolve("password").toString());
        Cli.Result inProcess = intoAClosedPipe(aliceBare(local), "send", bobId, "piped from a local run");
        assertEquals(before + 1, commandsRun(), "the local run ran in its own process");
        assertEquals(0, inProcess.exitCode(), inProcess::toString);
        assertEquals(inProcess.exitCode(), inAgent.exitCode(), inAgent::toString);
        assertFalse(inAgent.stderr().contains("went away"), inAgent::toString);
        String received = ok(bob, "inbox", "--json").stdout();
        assertEquals(1, received.split("piped from the agent", -1).length - 1, received);
        assertEquals(1, received.split("piped from a local run", -1).length - 1, received);
    }

    /**
     * F5: a peer's text with letters a 7-bit locale cannot print and a C1 control (U+009B, CSI on an
     * 8-bit terminal): a client under LC_ALL=C (another locale) runs the command itself and prints `?`
     * for what ASCII lacks; a client in the agent's locale with ASCII streams gets the agent's run
     * written in ASCII, byte for byte its local run; a UTF-8 client gets the agent's run, equal to its local run.
     */
    @Test
    @Order(2)
    void aClientInAnotherCharsetGetsALocalRunsBytes() throws Exception {
        String text = "A\u011b2J\u011b31mRED\u00e9 csi\u009bK end";
        ok(bob, "send", aliceId, text);
        ok(new Cli(aliceBare(Map.of())), "inbox"); // fetched: the runs compared below only print it
        Map<String, String> ascii = Map.of("LC_ALL", "C");
        int before = commandsRun();
        Cli.Result viaAgent = new Cli(aliceBare(ascii)).run("inbox", "--limit", "1");
        assertEquals(before, commandsRun(), "the agent handed the command back");
        Map<String, String> asciiLocal = new HashMap<>(ascii);
        asciiLocal.putAll(LOCAL);
        asciiLocal.put("PEERKEY_PASSWORD_FILE", dir.resolve("password").toString());
        Cli.Result local = new Cli(aliceBare(asciiLocal)).run("inbox", "--limit", "1");
        assertEquals(0, local.exitCode(), local::toString);
        assertTrue(local.stdout().contains("A?2J?31mRED?"), local::toString);
        assertEquals(local.toString(), viaAgent.toString());
        assertTrue(viaAgent.stdout().chars().allMatch(c -> c < 0x80), viaAgent::toString);

        // The agent's own locale with an ASCII stdout and stderr (as without a UTF-8 locale on both
        // sides): the agent runs it, writing what a local run writes.
        Map<String, String> asciiStreams = Map.of("JAVA_TOOL_OPTIONS",
                "-Dstdout.encoding=US-ASCII -Dstderr.encoding=US-ASCII");
        Cli.Result asciiViaAgent = new Cli(aliceBare(asciiStreams)).run("inbox", "--limit", "1");
        assertEquals(before + 1, commandsRun(), "the agent ran it");
        Map<String, String> asciiStreamsLocal = new HashMap<>(asciiStreams);
        asciiStreamsLocal.putAll(LOCAL);
        asciiStreamsLocal.put("PEERKEY_PASSWORD_FILE", dir.resolve("password").toString());
        Cli.Result asciiStreamsHere = new Cli(aliceBare(asciiStreamsLocal)).run("inbox", "--limit", "1");
        assertTrue(asciiStreamsHere.stdout().contains("A?2J?31mRED?"), asciiStreamsHere::toString);
        assertEquals(asciiStreamsHere.toString(), asciiViaAgent.toString());

        Cli.Result utf8ViaAgent = new Cli(aliceBare(Map.of())).run("inbox", "--limit", "1");
        assertEquals(before + 2, commandsRun(), "a UTF-8 client's command runs in the agent");
        Map<String, String> utf8Local = new HashMap<>(LOCAL);
        utf8Local.put("PEERKEY_PASSWORD_FILE", dir.resolve("password").toString());
        Cli.Result utf8 = new Cli(aliceBare(utf8Local)).run("inbox", "--limit", "1");
        assertTrue(utf8.stdout().contains("A\u011b2J\u011b31mRED\u00e9"), utf8::toString);
        assertEquals(utf8.toString(), utf8ViaAgent.toString());
    }

    private static ProcessHandle agentOf(String profile) {
        String home = home(profile).toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains(home))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains("AgentMain"))
                .findFirst().orElseThrow(() -> new AssertionError("no agent process for " + home));
    }

    /**
     * F9: the agent's working directory is its private directory and a crash report goes there: a
     * crashed agent (SIGSEGV) leaves hs_err_pid*.log in the 0700 agent directory, none where `unlock`
     * was run from.
     */
    @Test
    @Order(3)
    void theAgentWorksAndCrashesInsideItsPrivateDirectory() throws Exception {
        Path cwd = Files.createDirectory(dir.resolve("unlock-cwd"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(cwd, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> env = env("alice", dir.resolve("password"));
        Process unlock = builder(env, javaCommand("unlock", "--for", "30m")).directory(cwd.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String said = new String(unlock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(unlock.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, unlock.exitValue(), said);

        ProcessHandle agent = agentOf("alice");
        Path agentDir = home("alice").toRealPath().resolve("agent");
        List<String> cmdline = List.of(Files.readString(Path.of("/proc", Long.toString(agent.pid()), "cmdline"),
                StandardCharsets.UTF_8).split("\0"));
        assertTrue(cmdline.contains("-XX:ErrorFile=" + agentDir + "/hs_err_pid%p.log"), cmdline::toString);
        assertTrue(cmdline.contains("-XX:-CreateCoredumpOnCrash"), cmdline::toString);
        assertTrue(cmdline.contains("-XX:-HeapDumpOnOutOfMemoryError"), cmdline::toString);
        assertEquals(agentDir, Path.of("/proc", Long.toString(agent.pid()), "cwd").toRealPath());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(agentDir)));

        Process kill = new ProcessBuilder("kill", "-SEGV", Long.toString(agent.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        agent.onExit().get(5, TimeUnit.MINUTES);
        Path report = agentDir.resolve("hs_err_pid" + agent.pid() + ".log");
        assertTrue(Files.isRegularFile(report), () -> "no crash report in " + agentDir);
        try (Stream<Path> left = Files.list(cwd)) {
            assertEquals(List.of(), left.toList(), "nothing written where unlock was run");
        }
        Files.delete(report);
        // The stale socket it left is replaced by the next unlock.
        ok(alice, "unlock", "--for", "30m");
        ok(new Cli(aliceBare(Map.of())), "sessions");
    }

    /**
     * F4: `id new` at a terminal checks the home (not there yet) before it asks for the password; a
     * world-writable directory made there while the password is typed is refused before anything is
     * written into it.
     */
    @Test
    @Order(4)
    void aHomeMadeWhileThePasswordIsTypedIsCheckedAgain() throws Exception {
        Path home = dir.resolve("late-home");
        try (Pty pty = Pty.start(Map.of("PEERKEY_HOME", home.toString()), "id", "new", "--fast-kdf",
                "--no-recovery")) {
            pty.await("New keystore password: ", 120);
            assertFalse(Files.exists(home));
            Files.createDirectory(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx")); // as another user would
            pty.type(PASSWORD + "\r");
            pty.await("Repeat the password: ", 60);
            pty.type(PASSWORD + "\r");
            assertEquals(1, pty.awaitExit(120), pty::text);
            assertTrue(pty.text().contains("error: refusing the profile home " + home + ": it belongs to "
                    + System.getProperty("user.name") + " with mode rwxrwxrwx"), pty::text);
        }
        try (Stream<Path> written = Files.list(home)) {
            assertEquals(List.of(), written.toList(), "nothing written into it");
        }
    }
}
