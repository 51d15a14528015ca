package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * `peerkey unlock` / `lock`, --password-stdin and the prompt, each command a separate process: an
 * unlocked profile's commands need no password; lock, expiry and another profile bring the
 * password back; the agent's socket is private; a wrong password changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnlockIT {
    private static final String PASSWORD = "correct horse";
    private static final String NO_PASSWORD = "error: no password: use --password-file or PEERKEY_PASSWORD";

    @TempDir
    static Path dir;

    private static Map<String, String> shared;
    /** With the password file. */
    private static Cli alice;
    private static Cli bob;
    /** No password anywhere: only an agent can help. */
    private static Cli aliceBare;
    private static Cli bobBare;
    private static String aliceId;
    private static String aliceName;
    private static String bobId;

    @BeforeAll
    static void twoProfilesWithASession() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, PASSWORD + "\n");
        shared = Map.of("PEERKEY_CHAIN_DIR", dir.resolve("chain").toString());
        alice = new Cli(env("alice", password));
        bob = new Cli(env("bob", password));
        aliceBare = new Cli(env("alice", null));
        bobBare = new Cli(env("bob", null));

        ok(alice, "chain", "start");
        ok(alice, "deploy");
        JsonNode created = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        aliceId = created.path("id").asText();
        aliceName = created.path("name").asText();
        ok(alice, "register");
        bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register", "--relayed");
        assertEquals(1, alice.run("auth", bobId, "--timeout", "1s").exitCode()); // waits for Bob's consent
        ok(bob, "accept", aliceId);
        ok(alice, "inbox");
        ok(bob, "inbox");
    }

    private static Map<String, String> env(String profile, Path password) {
        Map<String, String> env = new HashMap<>(shared);
        env.put("PEERKEY_HOME", home(profile).toString());
        if (password != null) {
            env.put("PEERKEY_PASSWORD_FILE", password.toString());
        }
        return env;
    }

    private static Path home(String profile) {
        return dir.resolve(profile);
    }

    private static Path socket(String profile) {
        return home(profile).resolve("agent/agent.sock");
    }

    @AfterAll
    static void stop() {
        aliceBare.run("lock");
        bobBare.run("lock");
        alice.run("chain", "stop");
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        assertEquals(1, result.stderr().strip().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        return result;
    }

    /** Waits (without a time budget of its own: a test's timeout is the limit) until the agent removed its socket. */
    private static void awaitNoSocket(String profile) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (Files.exists(socket(profile)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(socket(profile)), "the agent is still there");
    }

    @Test
    @Order(1)
    void lockedACommandNeedsThePassword() {
        fails(aliceBare, NO_PASSWORD, "send", bobId, "no password");
        assertEquals("not unlocked: " + home("alice"), ok(aliceBare, "lock").stdout().strip());
    }

    @Test
    @Order(2)
    void unlockedEveryCommandRunsWithoutThePassword() {
        JsonNode unlocked = ok(alice, "unlock", "--for", "10m", "--json").json();
        assertEquals(2, unlocked.path("keys").asInt(), unlocked::toString); // the identity's and the mailbox account's
        ok(aliceBare, "send", bobId, "sent while unlocked");
        ok(aliceBare, "sessions");
        ok(aliceBare, "lookup", bobId);
        ok(aliceBare, "inbox");
        ok(aliceBare, "outbox");
        ok(aliceBare, "mailbox-account");
        ok(bob, "inbox");
        assertTrue(ok(bob, "inbox", "--json").stdout().contains("sent while unlocked"));
    }

    @Test
    @Order(3)
    void theAgentRunsTheProfilesShortCommands() throws Exception {
        int before = commandsRun();
        JsonNode sent = ok(aliceBare, "send", bobId, "sent by the agent", "--json").json(); // stdout: JSON alone
        assertTrue(sent.path("messageId").asText().startsWith("0x"), sent::toString);
        assertEquals(aliceId, ok(aliceBare, "id", "show", "--json").json().path("id").asText());
        assertTrue(ok(aliceBare, "lookup", bobId).stdout().contains(bobId));
        assertTrue(ok(aliceBare, "inbox").stdout().contains("sent by the agent"));
        // An error keeps its exit code and its one line on stderr.
        Cli.Result usage = aliceBare.run("send", bobId, "x", "--via", "bogus");
        assertEquals(2, usage.exitCode(), usage::toString);
        assertEquals("error: --via must be chain or direct, not 'bogus'", usage.stderr().strip());
        // Several at once, each with its own output.
        List<CompletableFuture<Cli.Result>> parallel = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parallel.add(CompletableFuture.supplyAsync(() -> aliceBare.run("sessions", "--json")));
        }
        for (CompletableFuture<Cli.Result> each : parallel) {
            assertEquals(1, each.get().json().path("sessions").size(), each.get()::toString);
        }
        assertEquals(before + 8, commandsRun());
        // Commands that need stdin or keep running, and the rest, run in their own process.
        ok(aliceBare, "mailbox-account");
        ok(aliceBare, "requests");
        assertEquals(before + 8, commandsRun());
        // Times are printed in the client's zone: a client in another one runs the command itself.
        Map<String, String> tokyo = new HashMap<>(env("alice", null));
        tokyo.put("TZ", "Asia/Tokyo");
        assertTrue(ok(new Cli(tokyo), "inbox").stdout().contains("sent by the agent"));
        assertEquals(before + 8, commandsRun());
    }

    /**
     * The agent remembers the contracts it checked, per chain and address, but one it has not
     * checked (another --registry) is checked like in any process: not a registry, or no code at all.
     */
    @Test
    @Order(3)
    void theAgentChecksEachContractItIsPointedAt() throws Exception {
        JsonNode deployment = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("chain/chain.json").toFile());
        String messenger = deployment.path("messenger").asText();
        int before = commandsRun();
        ok(aliceBare, "lookup", bobId); // the recorded registry, checked (again or for the first time)
        fails(aliceBare, "the contract at " + messenger + " is not a peerkey identity registry",
                "lookup", bobId, "--registry", messenger);
        String empty = "0x00000000000000000000000000000000000000ee";
        fails(aliceBare, "no contract at " + empty, "lookup", bobId, "--registry", empty);
        assertTrue(ok(aliceBare, "lookup", bobId).stdout().contains(bobId));
        assertEquals(before + 4, commandsRun(), "all four ran in the agent");
    }

    /** How many commands the agent of Alice's profile ran to their end. */
    private static int commandsRun() throws IOException {
        String status = exchange(socket("alice"),
                "{\"v\":1,\"op\":\"status\",\"profile\":\"" + home("alice").toRealPath() + "\"}");
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(status).path("commandsRun").asInt(-1);
    }

    @Test
    @Order(3)
    void theSocketIsPrivate() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket("alice"))));
        assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(socket("alice").getParent())));
    }

    @Test
    @Order(3)
    void theAgentKeepsNoneOfOurVariablesInItsEnvironment() throws IOException {
        String alicesHome = home("alice").toAbsolutePath().toString();
        ProcessHandle agent = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains(alicesHome))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains("AgentMain"))
                .findFirst().orElseThrow(() -> new AssertionError("no agent process for " + alicesHome));
        String environment = Files.readString(Path.of("/proc", Long.toString(agent.pid()), "environ"),
                StandardCharsets.ISO_8859_1);
        assertFalse(environment.contains("PEERKEY_"), "the agent inherited a PEERKEY_ variable");
    }

    @Test
    @Order(4)
    void anotherProfileCannotUseTheAgent() throws IOException {
        fails(bobBare, NO_PASSWORD, "sessions"); // Bob's profile has no agent of its own
        String asBob = exchange(socket("alice"),
                "{\"v\":1,\"op\":\"store\",\"profile\":\"" + home("bob").toRealPath() + "\"}");
        assertEquals("{\"ok\":false,\"error\":\"this agent holds the keys of profile " + home("alice").toRealPath()
                + ", not of " + home("bob").toRealPath() + "\"}", asBob);
        // Even given the socket under its own profile (a symbolic link), Bob's commands get nothing.
        Files.createDirectories(home("bob").resolve("agent"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(socket("bob"), socket("alice"));
        try {
            fails(bobBare, "this agent holds the keys of profile " + home("alice").toRealPath(), "sessions");
        } finally {
            Files.delete(socket("bob"));
        }
    }

    @Test
    @Order(5)
    void aMalformedRequestGetsAClearError() throws IOException {
        assertEquals("{\"ok\":false,\"error\":\"malformed request: not JSON\"}", exchange(socket("alice"), "hello"));
        assertEquals("{\"ok\":false,\"error\":\"malformed request: unknown op \\\"dump\\\"\"}",
                exchange(socket("alice"), "{\"v\":1,\"op\":\"dump\",\"profile\":\"/\"}"));
        ok(aliceBare, "sessions"); // the agent still serves
    }

    private static String exchange(Path socket, String line) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(channel).write((line + "\n").getBytes(StandardCharsets.UTF_8));
            channel.shutdownOutput();
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    @Order(6)
    void lockWipesAndTheSameCommandAsksForThePasswordAgain() throws InterruptedException {
        assertEquals("locked: " + home("alice"), ok(aliceBare, "lock").stdout().strip());
        awaitNoSocket("alice");
        fails(aliceBare, NO_PASSWORD, "send", bobId, "after lock");
    }

    @Test
    @Order(7)
    void anUnlockExpires() throws InterruptedException {
        ok(alice, "unlock", "--for", "2s");
        awaitNoSocket("alice");
        fails(aliceBare, NO_PASSWORD, "sessions");
    }

    @Test
    @Order(8)
    void aStaleSocketIsHandled() throws IOException {
        Files.createDirectories(socket("alice").getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket("alice")));
        } // closed: the file stays, nobody listens, as after a kill -9
        assertTrue(Files.exists(socket("alice")));
        fails(aliceBare, NO_PASSWORD, "sessions");
        ok(alice, "unlock", "--for", "10m"); // replaces the stale socket
        ok(aliceBare, "sessions");
        ok(aliceBare, "lock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket("alice")));
        }
        assertEquals("not unlocked (removed a stale agent socket): " + home("alice"),
                ok(aliceBare, "lock").stdout().strip());
        assertFalse(Files.exists(socket("alice")));
    }

    @Test
    @Order(9)
    void passwordStdin() throws IOException {
        Path right = dir.resolve("stdin-right");
        Files.writeString(right, PASSWORD + "\n");
        Cli.Result result = aliceBare.runWithInput(right, "sessions", "--password-stdin");
        assertEquals(0, result.exitCode(), result::toString);
        Path wrong = dir.resolve("stdin-wrong");
        Files.writeString(wrong, "wrong horse\n");
        Map<String, byte[]> before = snapshot(home("alice"));
        result = aliceBare.runWithInput(wrong, "send", bobId, "never", "--password-stdin");
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().startsWith("error: wrong password"), result::toString);
        assertSame(before, snapshot(home("alice")));
        // and it unlocks too
        result = aliceBare.runWithInput(right, "unlock", "--password-stdin");
        assertEquals(0, result.exitCode(), result::toString);
        ok(aliceBare, "sessions");
        ok(aliceBare, "lock");
    }

    /** Runs the CLI on a pseudo-terminal (util-linux `script`), typing {@code typed}; stdout to a file. */
    private static Cli.Result onATerminal(String typed, String... args) throws IOException, InterruptedException {
        return onATerminal(typed, true, args);
    }

    /** Runs the CLI on a pseudo-terminal, typing {@code typed}; stdout to a file or to the terminal too. */
    private static Cli.Result onATerminal(String typed, boolean stdoutToFile, String... args)
            throws IOException, InterruptedException {
        Path jar = TestChain.projectRoot().resolve("client/target/peerkey.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path stdout = Files.createTempFile(dir, "tty", ".out");
        StringBuilder command = new StringBuilder(quote(java) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "
                + quote(jar.toString()));
        for (String arg : args) {
            command.append(' ').append(quote(arg));
        }
        if (stdoutToFile) {
            command.append(" > ").append(quote(stdout.toString())); // stdout is no terminal: the prompt still works
        }
        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", command.toString(), "/dev/null");
        builder.environment().keySet().removeIf(key -> key.startsWith("PEERKEY_"));
        builder.environment().putAll(env("alice", null));
        builder.redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().write(typed.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        String terminal = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        process.getOutputStream().close();
        return new Cli.Result(process.exitValue(), Files.readString(stdout), terminal);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    @Order(10)
    void threeTriesAtAPromptThatNamesTheIdentity() throws IOException, InterruptedException {
        Map<String, byte[]> before = snapshot(home("alice"));
        Cli.Result failed = onATerminal("wrong 1\nwrong 2\nwrong 3\n", "send", bobId, "never");
        assertEquals(1, failed.exitCode(), failed::toString);
        String terminal = failed.stderr();
        assertTrue(terminal.contains("Password for identity " + aliceName + " (" + aliceId.substring(0, 10) + "…) in "
                + home("alice") + ": "), terminal);
        assertTrue(terminal.contains("wrong password; try again (2 left)"), terminal);
        assertTrue(terminal.contains("wrong password; try again (1 left)"), terminal);
        assertTrue(terminal.contains("error: wrong password (3 tries); nothing was changed"), terminal);
        assertSame(before, snapshot(home("alice")));

        Cli.Result second = onATerminal("wrong 1\n" + PASSWORD + "\n", "sessions", "--json");
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.stderr().contains("wrong password; try again (2 left)"), second::toString);
        assertTrue(second.stdout().startsWith("{"), second::toString); // the result went to the file
    }

    @Test
    @Order(11)
    void whileUnlockedAQuestionIsStillAskedOnTheTerminal() throws IOException, InterruptedException {
        ok(alice, "unlock", "--for", "10m");
        int before = commandsRun();
        // A text over 4 KiB needs a 16 KiB mailbox post: its cost is asked about, on the user's terminal.
        Cli.Result no = onATerminal("n\n", false, "send", bobId, "x".repeat(5000));
        assertEquals(1, no.exitCode(), no::toString);
        assertTrue(no.stderr().contains("Go ahead? [y/N]"), no::toString);
        assertTrue(no.stderr().contains("error: cancelled: nothing was sent"), no::toString);
        assertEquals(1, no.stderr().split("-byte mailbox post", -1).length - 1, no::toString);
        assertEquals(before, commandsRun()); // the agent handed it back before doing anything
        ok(aliceBare, "lock");
    }

    @Test
    @Order(12)
    void afterARebuildTheAgentRunsNoMoreCommandsButStillHoldsTheKeys() throws IOException {
        ok(alice, "unlock", "--for", "10m");
        ok(aliceBare, "sessions");
        int before = commandsRun();
        Path jar = TestChain.projectRoot().resolve("client/target/peerkey.jar");
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(built.toMillis() + 1000));
        try {
            ok(aliceBare, "sessions"); // in its own process, the keys still from the agent
            assertEquals(before, commandsRun());
        } finally {
            Files.setLastModifiedTime(jar, built);
        }
        ok(aliceBare, "lock");
    }

    @Test
    @Order(13)
    void aClientThatGoesAwayCancelsItsCommandInTheAgent() throws Exception {
        ok(alice, "unlock", "--for", "10m");
        String rpc = ok(alice, "chain", "status", "--json").json().path("rpc").asText();
        try (ProviderProxy proxy = ProviderProxy.start(rpc)) {
            proxy.hold("eth_estimateGas"); // the command stops just before it prices its transaction
            Cli.Background send = aliceBare.start("send", bobId, "cancelled by Ctrl-C", "--rpc", proxy.url());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (proxy.calls("eth_estimateGas") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, proxy.calls("eth_estimateGas"), send::stderr);
            int before = commandsRun();
            long sent = proxy.calls("eth_sendRawTransaction");
            send.kill(); // the user pressed Ctrl-C, or closed the terminal
            proxy.release();
            while (commandsRun() == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(before + 1, commandsRun()); // the agent's command ended...
            assertEquals(sent, proxy.calls("eth_sendRawTransaction")); // ...without sending anything
        }
        assertFalse(ok(bob, "inbox").stdout().contains("cancelled by Ctrl-C"));
        ok(aliceBare, "lock");
    }

    /** Every file of the keystore and the store key, byte for byte. */
    private static Map<String, byte[]> snapshot(Path home) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(home.resolve("keystore"))) {
            walk.filter(Files::isRegularFile).forEach(paths::add);
        }
        paths.add(home.resolve("store.key"));
        paths.add(home.resolve("profile.json"));
        for (Path p : paths) {
            files.put(home.relativize(p).toString(), Files.readAllBytes(p));
        }
        return files;
    }

    private static void assertSame(Map<String, byte[]> before, Map<String, byte[]> after) {
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) {
            assertArrayEquals(before.get(name), after.get(name), name + " changed");
        }
    }
}
