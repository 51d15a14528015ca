package dev.peerkey.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.PeerkeyException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A client of a profile's unlock agent ({@link AgentServer}). Every call is one connection and
 * one request. No agent (no socket, or a stale one nobody listens on) is not an error: the
 * command then asks for the password as it would without one.
 */
public final class Agent {
    /** The socket's directory inside the profile, made 0700. */
    public static final String DIRECTORY = "agent";
    public static final String SOCKET = "agent.sock";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** This process's user: the only one whose agent its commands use. */
    private static final String USER = System.getProperty("user.name");
    /** How long an agent may take to answer before the command goes on without it. */
    private static final long ANSWER_TIMEOUT_MS = 5_000;

    private final Path home;

    private Agent(Path home) {
        this.home = home;
    }

    /** The agent of the profile at {@code home} (whether one runs is found out per request). */
    public static Agent of(Path home) {
        return new Agent(home);
    }

    /** Where the agent of the profile at {@code home} listens. */
    public static Path socket(Path home) {
        return home.resolve(DIRECTORY).resolve(SOCKET);
    }

    /**
     * The agent's private directory of the profile at {@code home} (its real path), made 0700 if
     * missing: the agent's working directory and where a crash report of it goes.
     *
     * @throws IOException if it is a symbolic link or another user's
     */
    public static Path directory(Path home) throws IOException {
        Path dir = home.toRealPath().resolve(DIRECTORY);
        privateDirectory(dir);
        return dir;
    }

    /** Makes {@code dir} (or finds it) owner-only, refusing a symbolic link or another user's directory. */
    static void privateDirectory(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(USER)) {
            throw new IOException(dir + " belongs to " + owner + ", not to " + USER + ": remove it");
        }
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }

    /**
     * Refuses a socket that someone else could have put there: the agent directory must be ours and
     * owner-only, the socket ours (a planted agent could hand out a store key of its choosing).
     */
    static void checkPrivate(Path socket) {
        try {
            Path dir = socket.getParent();
            String dirOwner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            String socketOwner = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS).getName();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(dir) || !dirOwner.equals(USER) || !socketOwner.equals(USER)
                    || !OWNER_ONLY.containsAll(mode)) {
                throw new PeerkeyException("refusing the unlock agent's socket " + socket + ": its directory is "
                        + dirOwner + "'s with mode " + PosixFilePermissions.toString(mode) + ", the socket "
                        + socketOwner + "'s; only " + USER + " may own them, mode rwx------ (remove "
                        + dir + " and unlock again)");
            }
        } catch (IOException e) {
            throw new PeerkeyException("cannot check the unlock agent's socket " + socket + ": " + e.getMessage());
        }
    }

    /** The agent's status (profile, until, keys, storeKey), or empty if none runs. */
    public Optional<JsonNode> status() {
        return exchange(AgentProtocol.Op.STATUS, null).map(AgentProtocol.Answer::fields);
    }

    /** The private key whose public key hashes to {@code keyId} (hex), if the agent holds it; the caller wipes it. */
    public Optional<byte[]> key(String keyId) {
        return exchange(AgentProtocol.Op.KEY, keyId).flatMap(AgentProtocol.Answer::secretIfAny);
    }

    /** The profile's store key, if an agent holds it; the caller wipes it. */
    public Optional<byte[]> storeKey() {
        return exchange(AgentProtocol.Op.STORE, null).flatMap(AgentProtocol.Answer::secretIfAny);
    }

    /** Tells the agent to wipe its keys and exit. @return whether one was running */
    public boolean lock() {
        return exchange(AgentProtocol.Op.LOCK, null).isPresent();
    }

    /** Whether a socket file is there that no agent listens on (a crashed or killed agent's). */
    public boolean staleSocket() {
        return Files.exists(socket(home), LinkOption.NOFOLLOW_LINKS) && status().isEmpty();
    }

    /**
     * Runs a peerkey command in the agent (see {@link CommandRunner}), copying its output to
     * {@code out} and {@code err} as it comes.
     *
     * @return its exit code, or empty if no agent runs, the agent will not run it (an older agent,
     *         another profile's) or the command must run in this process (it needs a password or a
     *         terminal); then nothing was done
     * @throws PeerkeyException if the agent went away while the command ran (its outcome unknown)
     */
    public OptionalInt run(List<String> args, boolean terminal, OutputStream out, OutputStream err) {
        Optional<Connection> opened;
        try {
            opened = connect();
        } catch (PeerkeyException refused) {
            return OptionalInt.empty(); // a command that needs no key still runs; one that does is refused there
        }
        if (opened.isEmpty()) {
            return OptionalInt.empty();
        }
        try (SocketChannel channel = opened.get().channel()) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            try {
                sendInTime(channel, opened.get().request(AgentProtocol.Op.RUN, null, args, terminal),
                        () -> {
                            AgentProtocol.readRunAnswer(in);
                            return null;
                        });
            } catch (PeerkeyException | IOException refusedOrGone) {
                return OptionalInt.empty();
            }
            return relay(in, out, err);
        } catch (IOException e) {
            throw new PeerkeyException("the unlock agent went away while it ran the command (locked or expired);"
                    + " its outcome is unknown");
        }
    }

    /**
     * Copies a command's output frames until its exit. A stream of ours that can no longer be
     * written (stdout piped into {@code head -1}, closed) is left out from then on, as a local run's
     * PrintStream leaves it: the command runs to its end and its exit code is returned. Only an
     * exception reading from the agent ends the relay early.
     */
    static OptionalInt relay(DataInputStream in, OutputStream out, OutputStream err) throws IOException {
        byte[] buffer = new byte[8192];
        boolean[] broken = new boolean[2]; // stdout, stderr
        while (true) {
            int type = in.readUnsignedByte();
            int length = in.readInt();
            if (length < 0 || length > AgentProtocol.Frame.MAX_SIZE) {
                throw new IOException("malformed frame");
            }
            switch (type) {
                case AgentProtocol.Frame.STDOUT, AgentProtocol.Frame.STDERR -> {
                    int stream = type == AgentProtocol.Frame.STDOUT ? 0 : 1;
                    OutputStream target = stream == 0 ? out : err;
                    for (int left = length; left > 0; ) {
                        int n = in.read(buffer, 0, Math.min(left, buffer.length));
                        if (n < 0) {
                            throw new EOFException();
                        }
                        broken[stream] = broken[stream] || !copied(target, buffer, n);
                        left -= n;
                    }
                }
                case AgentProtocol.Frame.EXIT -> {
                    return OptionalInt.of(in.readInt());
                }
                case AgentProtocol.Frame.RUN_HERE -> {
                    return OptionalInt.empty();
                }
                default -> throw new IOException("malformed frame");
            }
        }
    }

    /** Writes to one of our own streams. @return false if it cannot be written (its reader went away) */
    private static boolean copied(OutputStream target, byte[] buffer, int n) {
        try {
            target.write(buffer, 0, n);
            target.flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** A connection to this profile's agent, checked to be the user's own. */
    private record Connection(SocketChannel channel, String profile) {
        AgentProtocol.Request request(AgentProtocol.Op op, String key, List<String> args, boolean terminal) {
            // What a local run's output depends on besides the command line: the agent's must be the same.
            return new AgentProtocol.Request(op, profile, key, args, terminal, ZoneId.systemDefault().getId(),
                    System.getProperty("stdout.encoding"), System.getProperty("stderr.encoding"),
                    Locale.getDefault().toLanguageTag());
        }
    }

    /**
     * @return empty if no agent listens
     * @throws PeerkeyException if the socket or the process answering is not the user's own
     */
    private Optional<Connection> connect() {
        Path socket = socket(home);
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String profile;
        try {
            profile = home.toRealPath().toString();
        } catch (IOException e) {
            return Optional.empty();
        }
        checkPrivate(socket);
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            String agentUser = channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (!agentUser.equals(USER)) {
                throw new PeerkeyException("refusing the unlock agent at " + socket + ": it runs as " + agentUser
                        + ", not as " + USER);
            }
            Connection connection = new Connection(channel, profile);
            channel = null;
            return Optional.of(connection);
        } catch (IOException | UnsupportedOperationException e) {
            // stale (the agent is gone), not ours to use (permission denied), or no peer credentials
            // on this system: the password is asked for
            return Optional.empty();
        } finally {
            closeQuietly(channel);
        }
    }

    /**
     * Sends {@code request} and reads the agent's answer line (and secret), within
     * {@link #ANSWER_TIMEOUT_MS}: an agent that never answers must not hang the command.
     *
     * @throws PeerkeyException if the agent refused the request (e.g. another profile's agent)
     */
    private static AgentProtocol.Answer answerInTime(SocketChannel channel, AgentProtocol.Request request,
            InputStream in) throws IOException {
        return sendInTime(channel, request, () -> AgentProtocol.readAnswer(in));
    }

    /** Reads an answer from the agent. */
    private interface Reply<T> {
        T read() throws IOException;
    }

    private static <T> T sendInTime(SocketChannel channel, AgentProtocol.Request request, Reply<T> reply)
            throws IOException {
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(ANSWER_TIMEOUT_MS);
                channel.close(); // ends the read below
            } catch (InterruptedException | IOException done) {
                // answered in time, or already closed
            }
        });
        try {
            Channels.newOutputStream(channel).write(request.encode());
            return reply.read();
        } finally {
            watchdog.interrupt();
        }
    }

    /**
     * @throws PeerkeyException if the agent refused the request (e.g. another profile's agent)
     */
    private Optional<AgentProtocol.Answer> exchange(AgentProtocol.Op op, String key) {
        Optional<Connection> opened = connect();
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (SocketChannel channel = opened.get().channel()) {
            return Optional.of(answerInTime(channel, opened.get().request(op, key, List.of(), false),
                    Channels.newInputStream(channel)));
        } catch (IOException e) {
            return Optional.empty(); // the agent exited while answering (lock, expiry)
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
