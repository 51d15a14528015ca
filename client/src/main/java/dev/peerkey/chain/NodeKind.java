package dev.peerkey.chain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The local development nodes peerkey can start, each installed from npm into the project. */
public enum NodeKind {
    HARDHAT("Hardhat"),
    ANVIL("Anvil"),
    GANACHE("Ganache");

    private final String label;

    NodeKind(String label) {
        this.label = label;
    }

    /** The node's name as people write it: Hardhat, Anvil, Ganache. */
    public String label() {
        return label;
    }

    /** The name on the command line: hardhat, anvil, ganache. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name; the error lists the choices. */
    public static NodeKind parse(String name) {
        for (NodeKind kind : values()) {
            if (kind.option().equalsIgnoreCase(name.strip())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown node '" + name + "': choose hardhat, anvil or ganache");
    }

    /**
     * The command that runs this node on 127.0.0.1:{@code port}, automining, with the usual
     * development accounts unlocked; {@code node} is the Node.js binary to run JavaScript nodes with.
     */
    List<String> command(Path projectRoot, String node, int port) {
        String p = Integer.toString(port);
        return switch (this) {
            case HARDHAT -> List.of(node, installed(projectRoot, "node_modules/hardhat/dist/src/cli.js").toString(),
                    "node", "--hostname", "127.0.0.1", "--port", p);
            // Chain id 31337 and the same ten funded accounts as Hardhat; automining. Errors still reach the log.
            case ANVIL -> List.of(anvilBinary(projectRoot).toString(), "--host", "127.0.0.1", "--port", p, "--quiet");
            case GANACHE -> List.of(node, installed(projectRoot, "node_modules/ganache/dist/node/cli.js").toString(),
                    "--server.host", "127.0.0.1", "--server.port", p, "--wallet.deterministic",
                    "--chain.chainId", "1337", "--logging.quiet");
        };
    }

    /**
     * Whether the node's chain (blocks, accounts, contracts) is kept in a directory across restarts: by
     * the node itself (Anvil, Ganache) or, for Hardhat, as its blocks saved at `chain stop` and
     * replayed at the next start (see {@link HardhatChainRecord}).
     */
    public boolean keepsState() {
        return true;
    }

    /**
     * The variable that gives Hardhat's node (its {@code node} network in the project's
     * hardhat.config.js) the genesis block's time, as an ISO instant: a replayed chain needs the saved genesis.
     */
    public static final String HARDHAT_GENESIS_DATE = "PEERKEY_HARDHAT_GENESIS_DATE";

    /** The environment that makes a Hardhat node's genesis block carry {@code genesisTime}. */
    public static java.util.Map<String, String> hardhatGenesisEnvironment(java.time.Instant genesisTime) {
        return java.util.Map.of(HARDHAT_GENESIS_DATE, genesisTime.toString());
    }

    /**
     * The arguments that make the node load its chain from {@code stateDir} and save it there: Anvil's
     * {@code --state FILE} (loaded at start, written when the node is stopped, and every 30 s), Ganache's
     * {@code --database.dbPath DIR} (written as it goes). Hardhat's node has no such option: none (its
     * chain is saved and replayed by {@link HardhatChainRecord}).
     */
    public List<String> stateArguments(Path stateDir) {
        return switch (this) {
            case HARDHAT -> List.of();
            case ANVIL -> List.of("--state", stateDir.resolve("anvil-state.json").toString(), "--state-interval", "30");
            case GANACHE -> List.of("--database.dbPath", stateDir.resolve("ganache-db").toString());
        };
    }

    /** Anvil's native binary from the platform package that `@foundry-rs/anvil` installs beside itself. */
    private Path anvilBinary(Path projectRoot) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("mac") ? "darwin" : "linux";
        String arch = System.getProperty("os.arch").matches("aarch64|arm64") ? "arm64" : "amd64";
        return installed(projectRoot, "node_modules/@foundry-rs/anvil-" + os + "-" + arch + "/bin/anvil");
    }

    private Path installed(Path projectRoot, String relative) {
        Path path = projectRoot.resolve(relative);
        if (!Files.isRegularFile(path)) {
            throw new ChainException(label + " is not installed in " + projectRoot + ": run ./peerkey once to install it");
        }
        return path;
    }
}
