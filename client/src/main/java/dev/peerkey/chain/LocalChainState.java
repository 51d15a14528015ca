package dev.peerkey.chain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What `peerkey chain start` records so that other commands, from any profile, find
 * the local chain: its RPC URL, the node's pid and log, and the registry and messenger
 * deployed on it.
 *
 * @param rpc the node's JSON-RPC URL
 * @param pid the node process
 * @param log the node's log file
 * @param registry the registry deployed on it by `peerkey deploy`, or null
 * @param registryBlock the block the registry was deployed in, or null
 * @param messenger the messenger bound to that registry, deployed with it, or null
 * @param messengerBlock the block the messenger was deployed in, or null
 * @param node the kind of node (hardhat, anvil, ganache); null in files written before there was a choice,
 *     which were Hardhat
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LocalChainState(String rpc, long pid, String log, String registry, Long registryBlock,
                              String messenger, Long messengerBlock, String node) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILE = "chain.json";

    /** A fresh Hardhat node: nothing deployed yet. */
    public LocalChainState(String rpc, long pid, String log) {
        this(rpc, pid, log, NodeKind.HARDHAT);
    }

    /** A fresh node of {@code kind}: nothing deployed yet. */
    public LocalChainState(String rpc, long pid, String log, NodeKind kind) {
        this(rpc, pid, log, null, null, null, null, kind.option());
    }

    /** The kind of node recorded (Hardhat for files that name none). */
    public NodeKind nodeKind() {
        return node == null ? NodeKind.HARDHAT : NodeKind.parse(node);
    }

    /** Records a deployment; the two are recorded together since a messenger is bound to one registry. */
    public LocalChainState withRegistry(String registryAddress, long registryDeployBlock, String messengerAddress,
            long messengerDeployBlock) {
        return new LocalChainState(rpc, pid, log, registryAddress, registryDeployBlock, messengerAddress,
                messengerDeployBlock, node);
    }

    /**
     * Refuses a chain directory another user owns or others can write to, as a profile home is
     * refused: they could swap chain.json (the RPC URL and registry every command uses) or plant
     * symbolic links where the node's log and saved state are written.
     */
    public static void checkDir(Path dir) {
        dev.peerkey.PrivateDirectory.check(dir, "chain directory", "--chain-dir DIR");
    }

    /**
     * Makes the chain directory, and any missing parent, 0700, then checks it ({@link #checkDir}):
     * checked after it is made, so one that someone else made meanwhile is refused too.
     */
    public static void makeDir(Path dir) {
        try {
            dev.peerkey.PrivateDirectory.create(dir);
        } catch (IOException e) {
            throw new ChainException("cannot make the chain directory " + dir + ": " + e.getMessage(), e);
        }
        checkDir(dir);
    }

    /** The recorded state in {@code dir}, if a chain was started there (the directory is checked first). */
    public static Optional<LocalChainState> read(Path dir) {
        checkDir(dir);
        Path file = dir.resolve(FILE);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(JSON.readValue(in, LocalChainState.class));
        } catch (IOException e) {
            throw new ChainException("local chain state " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Writes the state atomically, so a reader never sees half a file (a new file moved over chain.json). */
    public void write(Path dir) {
        makeDir(dir);
        try {
            Path tmp = Files.createTempFile(dir, FILE, ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(Files.newOutputStream(tmp, LinkOption.NOFOLLOW_LINKS), this);
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ChainException("cannot write local chain state in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static void delete(Path dir) {
        checkDir(dir);
        try {
            Files.deleteIfExists(dir.resolve(FILE));
        } catch (IOException e) {
            throw new ChainException("cannot remove local chain state in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the recorded node process still runs (and is the recorded kind of node, not a reused pid). */
    public boolean nodeRunning() {
        String marker = nodeKind().option(); // in the command line of each: hardhat/…/cli.js, …/bin/anvil, ganache/…
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(handle -> handle.info().commandLine())
                .map(commandLine -> commandLine.contains(marker))
                .orElse(false);
    }
}
