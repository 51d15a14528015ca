package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the unlock agent's command runner, each with the CLI as separate processes against a
 * real node and a real agent: two commands of the profile in the agent's one JVM (the first's
 * mailbox lock must outlive the second), an `agent/` directory others can read or write (commands
 * that need no key run in their own process, a key is refused), and the agent's HTTP connections
 * (none stays open after a command). Which commands ran in the agent is read from its count of
 * commands run; the order of events is set by proxies, never by timing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentAttackIT {
    /** What `inbox` says when another process, or another command of the agent, holds the mailbox lock. */
    private static final String BUSY = "another command of this profile reads the mailbox (`listen`, or an `inbox` or"
            + " `send` still running); showing what it stored";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Cli alice;
    private static Cli bob;
    private static String aliceId;
    private static String bobId;

    @BeforeAll
    static void aliceUnlockedWithASessionToBob() throws IOException {
        node = TestChain.start();
        CliNetwork network = CliNetwork.deploy(node, dir);
        alice = network.profile("alice");
        bob = network.profile("bob");
        aliceId = CliNetwork.newIdentity(alice);
        bobId = CliNetwork.newIdentity(bob);
        CliNetwork.connect(alice, "alice", aliceId, bob, "bob", bobId);
        ok(alice, "unlock", "--for", "1h"); // the password from the file: Alice's commands now go to the agent
    }

    @AfterAll
    static void stop() {
        if (alice != null) {
            alice.run("lock");
        }
        if (node != null) {
            node.close();
        }
    }

    private static Path home() {
        return dir.resolve("alice");
    }

    private static Cli.Result ok(Cli cli, String... args) {
        return CliNetwork.ok(cli, args);
    }

    /**
     * Command A (`inbox`, its node held by a proxy inside its mailbox pass) holds the mailbox lock
     * in the agent while command B (`inbox` too) runs in the same agent JVM: B must not read the
     * mailbox (it says so and shows what is stored), and must leave A's lock in place. On Linux
     * closing any channel of a file drops every lock the process has on it, so a B that opened and
     * closed the lock file would free A's lock for any other process: the test's own process and a
     * third `inbox` in its own process must still find it taken after B. Then A finishes and every
     * message is there exactly once.
     */
    @Test
    @Order(1)
    void aSecondCommandInTheAgentKeepsTheFirstOnesMailboxLock() throws Exception {
        ok(bob, "send", "alice", "first while held");
        ok(bob, "send", "alice", "second while held");
        int before = commandsRun();
        try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl())) {
            proxy.hold("eth_getLogs"); // A stops in its mailbox pass, the lock taken
            Cli.Background a = alice.start("inbox", "--json", "--rpc", proxy.url());
            try {
                await(() -> proxy.calls("eth_getLogs") > 0, a, "A never read its mailbox");
                assertTrue(mailboxLockTaken(), "A waits on the node without the mailbox lock\n" + a.stderr());

                Cli.Result b = ok(alice, "inbox", "--json"); // the node directly: nothing holds B
                assertEquals(before + 1, commandsRun(), "B did not run in the agent"); // A still runs
                assertTrue(b.stderr().contains(BUSY), b::toString);
                assertFalse(b.stdout().contains("while held"), b::toString); // B did not read the mailbox
                assertTrue(mailboxLockTaken(), "B dropped A's mailbox lock");

                // A third command in its own process (a --password-file keeps it out of the agent).
                Cli.Result c = ok(alice, "inbox", "--json", "--password-file", dir.resolve("password").toString());
                assertEquals(before + 1, commandsRun(), "C ran in the agent");
                assertTrue(c.stderr().contains(BUSY), c::toString);
                assertFalse(c.stdout().contains("while held"), c::toString);
            } finally {
                proxy.release();
            }
            assertEquals(0, a.awaitExit(), a::stderr);
            assertEquals(1, count(a.stdout(), "first while held"), a::stdout);
            assertEquals(1, count(a.stdout(), "second while held"), a::stdout);
            assertFalse(a.stderr().contains(BUSY), a::stderr);
            assertEquals(before + 2, commandsRun(), "A did not run in the agent");
        }
        assertFalse(mailboxLockTaken(), "the lock outlived its command");
        // The agent forgot both locks: its next command reads the mailbox again; each message is there once.
        Cli.Result after = ok(alice, "inbox", "--json");
        assertFalse(after.stderr().contains(BUSY), after::toString);
        assertEquals(1, count(after.stdout(), "first while held"), after::stdout);
        assertEquals(1, count(after.stdout(), "second while held"), after::stdout);
        assertEquals(before + 3, commandsRun());
    }

    /** Whether some process holds Alice's mailbox lock (asked from the test's process, as another command would). */
    private static boolean mailboxLockTaken() throws IOException {
        Path file = home().resolve("mailbox-" + aliceId.substring(2).toLowerCase(Locale.ROOT) + ".lock");
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        }
    }

    /**
     * With Alice's `agent/` directory open to others (0755, 0777, still hers), commands that need no
     * key (`id show`, `lookup` by ID) run in their own process and work; a command that needs a key
     * from the agent (`sessions`: the store key; `send`: the identity's) stops with the refusal,
     * exit 1, before anything is sent, even though a password file is at hand (an agent behind such
     * a directory may be planted).
     */
    @Test
    @Order(2)
    void aLooseAgentDirectoryRunsReadOnlyCommandsHereAndRefusesKeys() throws Exception {
        Path agentDir = home().resolve("agent");
        String user = System.getProperty("user.name");
        for (String mode : List.of("rwxr-xr-x", "rwxrwxrwx")) {
            Files.setPosixFilePermissions(agentDir, PosixFilePermissions.fromString(mode));
            try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl())) {
                int before = commandsRun();
                assertEquals(aliceId, ok(alice, "id", "show", "--json").json().path("id").asText());
                assertTrue(ok(alice, "lookup", bobId, "--rpc", proxy.url()).stdout().contains(bobId));
                assertEquals(before, commandsRun(), "a command ran in an agent behind a " + mode + " directory");

                String refused = "error: refusing the unlock agent's socket " + agentDir.resolve("agent.sock")
                        + ": its directory is " + user + "'s with mode " + mode + ", the socket " + user
                        + "'s; only " + user + " may own them, mode rwx------ (remove " + agentDir
                        + " and unlock again)";
                assertEquals(refused, fails(alice, "sessions"));
                assertEquals(refused, fails(alice, "send", "bob", "never sent (" + mode + ")", "--rpc", proxy.url()));
                assertEquals(before, commandsRun());
                assertEquals(0, proxy.calls("eth_sendRawTransaction"));
                assertEquals(0, proxy.calls("eth_sendTransaction"));
            } finally {
                Files.setPosixFilePermissions(agentDir, PosixFilePermissions.fromString("rwx------"));
            }
        }
        assertFalse(ok(bob, "inbox").stdout().contains("never sent"));
        assertFalse(ok(alice, "outbox").stdout().contains("never sent"));
        int before = commandsRun();
        ok(alice, "sessions"); // the directory private again: the agent runs it
        assertEquals(before + 1, commandsRun());
    }

    /** Runs a command that must fail with exit 1 and one error line on stderr; returns that line. */
    private static String fails(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertEquals("", result.stdout(), result::toString);
        assertEquals(1, result.stderr().lines().count(), result::toString);
        return result.stderr().strip();
    }

    /**
     * Each command the agent runs closes its connections to the node when it ends (the agent
     * outlives many commands, and OkHttp would keep idle ones for minutes): through a TCP proxy in
     * front of the node, every connection a command opened is closed after it.
     */
    @Test
    @Order(3)
    void aCommandInTheAgentLeavesNoConnectionToTheNode() throws Exception {
        int port = URI.create(node.rpcUrl()).getPort();
        try (TcpProxy proxy = TcpProxy.start(port)) {
            String rpc = "--rpc=http://127.0.0.1:" + proxy.port();
            List<List<String>> commands = List.of(
                    List.of("lookup", bobId, rpc),
                    List.of("send", "bob", "through the counting proxy", rpc),
                    List.of("inbox", rpc),
                    List.of("send", "bob", "and once more", rpc),
                    List.of("lookup", "bob", "--history", rpc)); // a contact's name: the store too
            for (List<String> command : commands) {
                int before = commandsRun();
                int accepted = proxy.accepted();
                ok(alice, command.toArray(String[]::new));
                assertEquals(before + 1, commandsRun(), command + " did not run in the agent");
                assertTrue(proxy.accepted() > accepted, command + " did not use the node through the proxy");
                int serverClosed = proxy.closedByServer();
                await(() -> proxy.openConnections() == 0, null,
                        command + " left " + proxy.openConnections() + " connection(s) to the node open");
                assertEquals(serverClosed, proxy.closedByServer(), command + ": the node closed an idle connection");
            }
        }
        String received = ok(bob, "inbox").stdout();
        assertEquals(1, count(received, "through the counting proxy"), received);
        assertEquals(1, count(received, "and once more"), received);
    }

    /**
     * A command that fails in the agent leaves no connection either, and closes its own (not the
     * server after its idle timeout): one whose node answers its very first request (the chain id)
     * with HTTP 503, and one that fails after it has talked to the node (an ID nobody registered).
     */
    @Test
    @Order(4)
    void aFailedCommandInTheAgentLeavesNoConnectionToTheNode() throws Exception {
        try (ProviderProxy provider = ProviderProxy.start(node.rpcUrl());
                TcpProxy proxy = TcpProxy.start(URI.create(provider.url()).getPort())) {
            String rpc = "--rpc=http://127.0.0.1:" + proxy.port();
            provider.fail(ProviderProxy.Failure.unavailable());
            assertFailsInTheAgentWithNoConnectionLeft(proxy, "503", "lookup", bobId, rpc);
            provider.heal();
            assertFailsInTheAgentWithNoConnectionLeft(proxy, "is not registered", "lookup", "0x" + "ab".repeat(32),
                    rpc);
        }
    }

    private static void assertFailsInTheAgentWithNoConnectionLeft(TcpProxy proxy, String error, String... command)
            throws Exception {
        int before = commandsRun();
        int accepted = proxy.accepted();
        Cli.Result result = alice.run(command);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().startsWith("error: ") && result.stderr().contains(error), result::toString);
        assertEquals(before + 1, commandsRun(), List.of(command) + " did not run in the agent");
        assertTrue(proxy.accepted() > accepted, List.of(command) + " did not use the node through the proxy");
        int serverClosed = proxy.closedByServer();
        await(() -> proxy.openConnections() == 0, null,
                List.of(command) + " left " + proxy.openConnections() + " connection(s) to the node open");
        // Closed by the agent, not by the proxy's HTTP server after 30-40 s idle (OkHttp keeps one 5 min).
        assertEquals(serverClosed, proxy.closedByServer(), List.of(command) + ": the server closed an idle one");
    }

    /** How many commands the agent of Alice's profile ran to their end. */
    private static int commandsRun() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(home().resolve("agent/agent.sock")));
            String request = "{\"v\":1,\"op\":\"status\",\"profile\":\"" + home().toRealPath() + "\"}\n";
            Channels.newOutputStream(channel).write(request.getBytes(StandardCharsets.UTF_8));
            channel.shutdownOutput();
            JsonNode status = JSON.readTree(Channels.newInputStream(channel).readAllBytes());
            assertTrue(status.path("ok").asBoolean(), status::toString);
            return status.path("commandsRun").asInt(-1);
        }
    }

    /**
     * Waits until {@code condition} holds. The bound only ends a test that would otherwise hang: it
     * is minutes, far above how long anything here takes, and below OkHttp's 5-minute keep-alive.
     */
    private static void await(BooleanSupplier condition, Cli.Background command, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || command != null && !command.isAlive()) {
                throw new AssertionError(failure + (command == null ? "" : "\nstderr: " + command.stderr()));
            }
            Thread.sleep(50);
        }
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
