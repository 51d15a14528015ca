package dev.peerkey.chain;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A local development node (Hardhat, Anvil or Ganache) run as a child process on a free 127.0.0.1 port. Closing it
 * stops the node; {@link #detach()} leaves it running for `peerkey chain start`.
 */
public final class LocalNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final NodeKind kind;
    private final Process process;
    private final String rpcUrl;
    private final Path logFile;

    private LocalNode(NodeKind kind, Process process, String rpcUrl, Path logFile) {
        this.kind = kind;
        this.process = process;
        this.rpcUrl = rpcUrl;
        this.logFile = logFile;
    }

    /** Starts a Hardhat node: see {@link #start(NodeKind, Path, Path, Consumer, boolean)}. */
    public static LocalNode start(Path projectRoot, Path logFile, Consumer<String> progress, boolean detached) {
        return start(NodeKind.HARDHAT, projectRoot, logFile, progress, detached);
    }

    /**
     * Starts a {@code kind} node from the project at {@code projectRoot}, writing its output to
     * {@code logFile}, and returns once it answers JSON-RPC. A {@code detached} node runs
     * in its own session, so it outlives the terminal that started it.
     */
    public static LocalNode start(NodeKind kind, Path projectRoot, Path logFile, Consumer<String> progress,
            boolean detached) {
        return start(kind, List.of(), projectRoot, logFile, progress, detached);
    }

    /**
     * Starts a {@code kind} node as {@link #start(NodeKind, Path, Path, Consumer, boolean)} does, with
     * {@code extraArguments} after the usual ones (e.g. Ganache's {@code --chain.hardfork london}).
     */
    public static LocalNode start(NodeKind kind, List<String> extraArguments, Path projectRoot, Path logFile,
            Consumer<String> progress, boolean detached) {
        return start(kind, extraArguments, projectRoot, logFile, progress, detached, 0);
    }

    /**
     * Starts a node as {@link #start(NodeKind, List, Path, Path, Consumer, boolean)} does, on
     * {@code preferredPort} if it is free (a resumed chain keeps its URL, so running listeners
     * reconnect), else on any free port.
     */
    public static LocalNode start(NodeKind kind, List<String> extraArguments, Path projectRoot, Path logFile,
            Consumer<String> progress, boolean detached, int preferredPort) {
        return start(kind, extraArguments, java.util.Map.of(), projectRoot, logFile, progress, detached, preferredPort);
    }

    /**
     * Starts a node as {@link #start(NodeKind, List, Path, Path, Consumer, boolean, int)} does, with
     * {@code environment} added to its environment (e.g. {@link NodeKind#hardhatGenesisEnvironment}).
     */
    public static LocalNode start(NodeKind kind, List<String> extraArguments, java.util.Map<String, String> environment,
            Path projectRoot, Path logFile, Consumer<String> progress, boolean detached, int preferredPort) {
        int port = preferredPort > 0 && isFree(preferredPort) ? preferredPort : freePort();
        String rpcUrl = "http://127.0.0.1:" + port;
        List<String> command = new ArrayList<>();
        if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(kind.command(projectRoot, nodeBinary(projectRoot), port));
        command.addAll(extraArguments);
        Process process;
        Path log = logFile.toAbsolutePath();
        Path tmp = null;
        try {
            dev.peerkey.PrivateDirectory.create(log.getParent());
            if (Files.isSymbolicLink(log)) {
                throw new ChainException("refusing the node log " + log + ": it is a symbolic link (to "
                        + Files.readSymbolicLink(log) + "), and the log is never written through one: remove it");
            }
            // The node writes to a new file (made here, 0600, never through a link), moved over the old log
            // once the node has it open: a link planted at the log's name is replaced, never followed.
            tmp = Files.createTempFile(log.getParent(), log.getFileName() + ".", ".tmp");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove(NodeKind.HARDHAT_GENESIS_DATE);
            builder.environment().putAll(environment);
            process = builder
                    .directory(projectRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the start failed anyway
                }
            }
            throw new ChainException("could not start the local " + kind.label() + " node: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            stop(process.toHandle());
            throw new ChainException("cannot put the node log in place at " + log + ": " + e.getMessage(), e);
        }
        LocalNode node = new LocalNode(kind, process, rpcUrl, logFile);
        node.awaitReady(progress);
        return node;
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** Node 22 installed by the launcher, else whatever `node` is on the PATH. */
    private static String nodeBinary(Path projectRoot) {
        Path local = projectRoot.resolve(".tools/node_modules/node/bin/node");
        return Files.isExecutable(local) ? local.toString() : "node";
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ChainException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Consumer<String> progress) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        progress.accept("starting a local " + kind.label() + " node on " + rpcUrl + "…");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ChainException("the local " + kind.label() + " node exited with code " + process.exitValue()
                        + " during start-up; see " + logFile);
            }
            try (Chain chain = Chain.connect(rpcUrl)) {
                return;
            } catch (ChainException notYet) {
                if (System.nanoTime() > nextReport) {
                    progress.accept("still waiting for the node to answer…");
                    nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                }
                sleep(100);
            }
        }
        close();
        throw new ChainException("the local " + kind.label() + " node did not answer within "
                + START_TIMEOUT.toSeconds() + " s; see " + logFile);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while starting the node", e);
        }
    }

    public NodeKind kind() {
        return kind;
    }

    public String rpcUrl() {
        return rpcUrl;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** Stops the node and waits for it to exit. */
    @Override
    public void close() {
        stop(process.toHandle());
    }

    /** Stops the process {@code pid} and its children; true if it was running. */
    public static boolean stop(long pid) {
        return ProcessHandle.of(pid).map(handle -> {
            stop(handle);
            return true;
        }).orElse(false);
    }

    private static void stop(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroy);
        handle.destroy();
        try {
            handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
        }
    }
}
