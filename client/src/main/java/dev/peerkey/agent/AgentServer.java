package dev.peerkey.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.math.BigInteger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The unlock agent: a process of its own that holds a profile's decrypted keys in memory until
 * a deadline or a {@code lock} request, and hands them to the profile's commands over a Unix
 * domain socket ({@link Agent#socket(Path)}: directory 0700, socket 0600). It answers only
 * requests for its own profile, from processes of the socket's owner; on lock or expiry it
 * wipes the keys, removes the socket and exits. The keys reach it through its standard input
 * from the `unlock` command that started it, never through its arguments, environment or disk.
 */
public final class AgentServer {
    /** What `unlock` writes on the agent's stdin before the keys (a guard against a mixed-up stream). */
    static final byte[] MAGIC = {'p', 'k', 'a', 'g', 1};
    /** What the agent prints on stdout once it listens. */
    public static final String READY = "ready";

    private final Path home;
    private final Instant until;
    private final Clock clock;
    /** Key ID (hex of keccak256 of the public key) to the 32-byte private key. */
    private final Map<String, byte[]> keys;
    private final byte[] storeKey;
    private final CommandRunner runner;
    /** Commands run to their end here (not those handed back to the client). */
    private final AtomicInteger commandsRun = new AtomicInteger();
    private volatile boolean wiped;

    AgentServer(Path home, Instant until, Clock clock, Map<String, byte[]> keys, byte[] storeKey, CommandRunner runner) {
        this.home = home;
        this.until = until;
        this.clock = clock;
        this.keys = keys;
        this.storeKey = storeKey;
        this.runner = runner;
    }

    /**
     * Runs the agent: {@code args} are HOME and UNTIL_EPOCH_MILLIS, the keys come on stdin as
     * {@link #writeSecrets} writes them, {@link #READY} or an error goes to {@code stdout} (the
     * process's own, which is then closed), and {@code runner} runs the commands clients hand over.
     * Returns only by halting the process.
     */
    public static void run(String[] args, PrintStream stdout, CommandRunner runner) {
        AgentServer server = null;
        try {
            Path home = Path.of(args[0]).toRealPath();
            Instant until = Instant.ofEpochMilli(Long.parseLong(args[1]));
            server = readSecrets(home, until, System.in, runner);
            System.in.close();
            server.serve(() -> {
                stdout.println(READY);
                stdout.flush();
                stdout.close();
            });
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.wipe();
            }
            stdout.println("error: " + e.getMessage()); // never a key: only paths and I/O reasons
            stdout.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    /** The secrets as `unlock` hands them to the agent: the store key (or none) and the private keys. */
    public static void writeSecrets(OutputStream out, byte[] storeKey, Iterable<byte[]> privateKeys) throws IOException {
        out.write(MAGIC);
        out.write(storeKey == null ? 0 : 1);
        if (storeKey != null) {
            out.write(storeKey);
        }
        int n = 0;
        for (byte[] ignored : privateKeys) {
            n++;
        }
        out.write(new byte[] {(byte) (n >>> 8), (byte) n});
        for (byte[] k : privateKeys) {
            out.write(k);
        }
        out.flush();
    }

    static AgentServer readSecrets(Path home, Instant until, InputStream in, CommandRunner runner) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length];
        data.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not an unlock agent's input");
        }
        byte[] store = null;
        if (data.readUnsignedByte() == 1) {
            store = new byte[AgentProtocol.SECRET_SIZE];
            data.readFully(store);
        }
        int n = data.readUnsignedShort();
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[AgentProtocol.SECRET_SIZE];
            data.readFully(k);
            keys.put(IdentityKey.fromPrivateKey(new BigInteger(1, k)).publicKey().id().hex(), k);
        }
        return new AgentServer(home, until, Clock.systemUTC(), keys, store, runner);
    }

    private void serve(Runnable onListening) throws IOException {
        Path socket = Agent.socket(home);
        Agent.privateDirectory(socket.getParent());
        Files.deleteIfExists(socket); // `unlock` checked that no agent answers on it: a stale one
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        Object socketFile = Files.readAttributes(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
        String owner = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS).getName();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-timer");
            t.setDaemon(true);
            return t;
        });
        // Expiry, and an exit if the socket was removed or replaced (the profile deleted, another unlock).
        timer.scheduleAtFixedRate(() -> {
            if (!clock.instant().isBefore(until) || !sameFile(socket, socketFile)) {
                exit(socket, sameFile(socket, socketFile));
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
        onListening.run();
        while (true) {
            SocketChannel channel = server.accept();
            // A client that never sends its line must not keep a thread forever.
            Future<?> idle = timer.schedule(() -> closeQuietly(channel), 10, TimeUnit.SECONDS);
            Thread t = new Thread(() -> handle(channel, owner, socket, idle), "agent-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    /** The build this agent runs: its jar's size and time (a rebuild while unlocked changes them). */
    private static final String BUILD = build();

    private static String build() {
        try {
            Path jar = Path.of(AgentServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.size(jar) + "@" + Files.getLastModifiedTime(jar);
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }

    private static boolean sameFile(Path socket, Object ino) {
        try {
            return ino.equals(Files.readAttributes(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void handle(SocketChannel channel, String owner, Path socket, Future<?> idle) {
        try (channel) {
            InputStream in = Channels.newInputStream(channel);
            OutputStream out = Channels.newOutputStream(channel);
            String peer = peerUser(channel);
            if (peer != null && !peer.equals(owner)) {
                AgentProtocol.writeError(out, "this agent serves only its owner " + owner + ", not " + peer);
                return;
            }
            AgentProtocol.Request request;
            try {
                request = AgentProtocol.Request.decode(AgentProtocol.readLine(in));
            } catch (PeerkeyException e) {
                AgentProtocol.writeError(out, e.getMessage());
                return;
            }
            if (request.op() == AgentProtocol.Op.RUN) {
                idle.cancel(false); // a command may rightly run for minutes (`send` waiting for an answer)
                Thread worker = Thread.currentThread();
                Thread.ofVirtual().start(() -> cancelOnHangUp(channel, worker));
            }
            boolean lock = answer(request, out);
            if (lock) {
                exit(socket, true);
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /**
     * Answers one request.
     *
     * @return whether the agent must now lock (wipe and exit)
     */
    boolean answer(AgentProtocol.Request request, OutputStream out) throws IOException {
        if (!home.toString().equals(request.profile())) {
            AgentProtocol.writeError(out, "this agent holds the keys of profile " + home + ", not of "
                    + request.profile());
            return false;
        }
        if (wiped) {
            AgentProtocol.writeError(out, "this agent is locking");
            return false;
        }
        ObjectNode fields = AgentProtocol.json().createObjectNode();
        switch (request.op()) {
            case STATUS -> {
                fields.put("profile", home.toString());
                fields.put("until", until.toString());
                ArrayNode ids = fields.putArray("keys");
                keys.keySet().forEach(ids::add);
                fields.put("storeKey", storeKey != null);
                fields.put("commandsRun", commandsRun.get());
                AgentProtocol.writeOk(out, fields, null);
            }
            case KEY -> {
                byte[] k = keys.get(request.key());
                fields.put("held", k != null);
                AgentProtocol.writeOk(out, fields, k);
            }
            case STORE -> {
                fields.put("held", storeKey != null);
                AgentProtocol.writeOk(out, fields, storeKey);
            }
            case LOCK -> {
                AgentProtocol.writeOk(out, fields, null);
                return true;
            }
            case RUN -> {
                if (runner == null) {
                    AgentProtocol.writeError(out, "this agent runs no commands");
                    return false;
                }
                if (request.zone() != null && !request.zone().equals(ZoneId.systemDefault().getId())) {
                    // Times are printed in the client's zone: the client runs the command itself.
                    AgentProtocol.writeError(out, "this agent runs in another time zone");
                    return false;
                }
                Optional<Charset> stdoutCharset = charset(request.stdoutEncoding());
                Optional<Charset> stderrCharset = charset(request.stderrEncoding());
                if (stdoutCharset.isEmpty() || stderrCharset.isEmpty()
                        || request.locale() != null && !request.locale().equals(Locale.getDefault().toLanguageTag())) {
                    // Numbers and dates follow the locale: a client in another one runs the command itself.
                    AgentProtocol.writeError(out, "this agent runs in locale " + Locale.getDefault().toLanguageTag()
                            + ", not the client's " + request.locale() + " (or cannot write its charsets)");
                    return false;
                }
                if (!BUILD.equals(build())) {
                    // Its classes would come from the new jar, half of them: the client runs the command itself.
                    AgentProtocol.writeError(out, "this agent runs an earlier build of peerkey (lock and unlock again)");
                    return false;
                }
                AgentProtocol.writeOk(out, fields, null);
                runCommand(request, out, stdoutCharset.get(), stderrCharset.get());
            }
        }
        return false;
    }

    /**
     * The charset a client's stream is written in, as its own run would (`?` for what it cannot
     * encode): UTF-8 for a client that did not say; empty for one this JVM does not know.
     */
    static Optional<Charset> charset(String name) {
        if (name == null) {
            return Optional.of(UTF_8);
        }
        try {
            return Optional.of(Charset.forName(name));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }

    /**
     * The client sends nothing after its request: the end of its stream means it went away (Ctrl-C,
     * killed), and the command is interrupted, so that it sends no transaction after that.
     */
    private static void cancelOnHangUp(SocketChannel channel, Thread worker) {
        try {
            while (channel.read(ByteBuffer.allocate(64)) >= 0) {
                // a client has nothing more to say: ignore it
            }
            worker.interrupt();
        } catch (IOException closed) {
            // the command ended and the connection closed
        }
    }

    /** Runs a client's command here, its output sent back in frames as it is written. */
    private void runCommand(AgentProtocol.Request request, OutputStream out, Charset stdoutCharset,
            Charset stderrCharset) throws IOException {
        DataOutputStream frames = new DataOutputStream(out);
        PrintStream stdout = new PrintStream(new FrameStream(frames, AgentProtocol.Frame.STDOUT), true, stdoutCharset);
        PrintStream stderr = new PrintStream(new FrameStream(frames, AgentProtocol.Frame.STDERR), true, stderrCharset);
        OptionalInt exit;
        try {
            exit = runner.run(home, request.args(), request.terminal(), stdout, stderr);
        } catch (RuntimeException | Error e) {
            // A bug in a command (or no memory left) must not end the agent; the client sees a one-line failure.
            stderr.println("error: the command failed in the unlock agent (" + e.getClass().getSimpleName() + ")");
            exit = OptionalInt.of(1);
        }
        stdout.flush();
        stderr.flush();
        synchronized (frames) {
            if (exit.isPresent()) {
                commandsRun.incrementAndGet();
                byte[] code = ByteBuffer.allocate(4).putInt(exit.getAsInt()).array();
                AgentProtocol.Frame.write(frames, AgentProtocol.Frame.EXIT, code, 0, code.length);
            } else {
                AgentProtocol.Frame.write(frames, AgentProtocol.Frame.RUN_HERE, new byte[0], 0, 0);
            }
        }
    }

    /** One stream of a command's output, each write a frame. */
    private static final class FrameStream extends OutputStream {
        private final DataOutputStream frames;
        private final int type;

        FrameStream(DataOutputStream frames, int type) {
            this.frames = frames;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (frames) {
                AgentProtocol.Frame.write(frames, type, b, off, len);
            }
        }
    }

    private static String peerUser(SocketChannel channel) {
        try {
            return channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // not Linux/macOS: the socket's 0600 mode is the guard
        }
    }

    /** Wipes every key. */
    synchronized void wipe() {
        wiped = true;
        keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
        keys.clear();
        if (storeKey != null) {
            Arrays.fill(storeKey, (byte) 0);
        }
    }

    private void exit(Path socket, boolean ownsSocket) {
        wipe();
        if (ownsSocket) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // a stale socket is handled by the next client and the next unlock
            }
        }
        Runtime.getRuntime().halt(0);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
