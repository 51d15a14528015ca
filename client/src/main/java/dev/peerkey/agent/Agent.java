package dev.peerkey.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.PeerkeyException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
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
     * @throws PeerkeyException if the agent refused the request (e.g. another profile's agent)
     */
    private Optional<AgentProtocol.Answer> exchange(AgentProtocol.Op op, String key) {
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
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (ConnectException | NoSuchFileException e) {
                return Optional.empty(); // stale: the agent is gone
            } catch (SocketException e) {
                return Optional.empty(); // e.g. permission denied: not ours to use
            }
            String agentUser = channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (!agentUser.equals(USER)) {
                throw new PeerkeyException("refusing the unlock agent at " + socket + ": it runs as " + agentUser
                        + ", not as " + USER);
            }
            // An agent that never answers must not hang the command: closing the channel ends the read.
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(ANSWER_TIMEOUT_MS);
                    channel.close();
                } catch (InterruptedException | IOException done) {
                    // answered in time, or already closed
                }
            });
            try {
                Channels.newOutputStream(channel).write(new AgentProtocol.Request(op, profile, key).encode());
                return Optional.of(AgentProtocol.readAnswer(Channels.newInputStream(channel)));
            } finally {
                watchdog.interrupt();
            }
        } catch (UnsupportedOperationException e) {
            return Optional.empty(); // no peer credentials on this system: the password is asked for
        } catch (IOException e) {
            return Optional.empty(); // the agent exited while answering (lock, expiry)
        }
    }
}
