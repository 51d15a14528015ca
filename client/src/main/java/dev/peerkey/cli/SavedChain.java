package dev.peerkey.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.Chain;
import dev.peerkey.chain.HardhatChainRecord;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.chain.NodeKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The chain a local node of one kind saved at its last stop, in {@code CHAIN_DIR/state/KIND}: the
 * node's own state (Anvil's state file, Ganache's database; for Hardhat, whose node keeps none, its
 * blocks as {@link HardhatChainRecord} saved them) and {@value #DEPLOYMENT}, the
 * deployment `chain stop` found recorded for it. On the next start the record comes back only if
 * the resumed chain holds the recorded contracts.
 */
final class SavedChain {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DEPLOYMENT = "deployment.json";

    private final Path dir;
    private final NodeKind kind;

    SavedChain(Path chainDir, NodeKind kind) {
        this.dir = chainDir.toAbsolutePath().resolve("state").resolve(kind.option());
        this.kind = kind;
        LocalChainState.checkDir(dir.getParent()); // the saved chains are as private as the chain directory
        LocalChainState.checkDir(dir);
    }

    Path dir() {
        return dir;
    }

    /** Whether a saved chain exists to resume. */
    boolean exists() {
        return kind.keepsState() && (Files.isRegularFile(dir.resolve("anvil-state.json"))
                || Files.isRegularFile(dir.resolve(HardhatChainRecord.FILE))
                || Files.isDirectory(dir.resolve("ganache-db")) && nonEmpty(dir.resolve("ganache-db")));
    }

    /** Makes the directories the node writes to. */
    void prepare() {
        if (!kind.keepsState()) {
            return;
        }
        try {
            dev.peerkey.PrivateDirectory.create(kind == NodeKind.GANACHE ? dir.resolve("ganache-db") : dir);
        } catch (IOException e) {
            throw new PeerkeyException("cannot create " + dir + ": " + e.getMessage());
        }
    }

    /** The Hardhat chain saved at the last stop, or null. */
    HardhatChainRecord hardhatRecord() {
        return kind == NodeKind.HARDHAT ? HardhatChainRecord.load(dir) : null;
    }

    /** Forgets the saved Hardhat chain (it could not be saved again: the older one is not the chain that ran). */
    void forgetHardhatRecord() {
        try {
            Files.deleteIfExists(dir.resolve(HardhatChainRecord.FILE));
        } catch (IOException e) {
            throw new PeerkeyException("cannot remove " + dir.resolve(HardhatChainRecord.FILE) + ": " + e.getMessage());
        }
    }

    void discard() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new PeerkeyException("cannot discard the saved chain in " + dir + ": " + e.getMessage());
        }
    }

    /** Remembers the deployment recorded for the running chain (none: any earlier record is removed). */
    void recordDeployment(LocalChainState state, String chainKey) {
        try {
            dev.peerkey.PrivateDirectory.create(dir);
            Path file = dir.resolve(DEPLOYMENT);
            if (chainKey == null) {
                Files.deleteIfExists(file);
                return;
            }
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("rpc", state.rpc());
            record.put("chainKey", chainKey);
            record.put("registry", state.registry());
            record.put("registryBlock", state.registryBlock());
            record.put("messenger", state.messenger());
            record.put("messengerBlock", state.messengerBlock());
            Path tmp = Files.createTempFile(dir, DEPLOYMENT, ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(
                    Files.newOutputStream(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS), record);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PeerkeyException("cannot write " + dir.resolve(DEPLOYMENT) + ": " + e.getMessage());
        }
    }

    /**
     * {@code state} with the saved deployment if the resumed chain holds it: code at both recorded
     * addresses. (Anvil may resume a chain under another genesis hash after a second stop, so the
     * contracts themselves, not the hash, decide.)
     */
    LocalChainState restore(LocalChainState state, Chain chain, Consumer<String> progress) {
        Path file = dir.resolve(DEPLOYMENT);
        if (!Files.isRegularFile(file)) {
            return state;
        }
        try {
            JsonNode record = JSON.readTree(file.toFile());
            if (!record.hasNonNull("registry")) {
                return state;
            }
            String registry = record.path("registry").asText();
            String messenger = record.path("messenger").asText();
            if (!hasCode(chain, registry) || !hasCode(chain, messenger)) {
                progress.accept("the resumed chain does not hold the registry " + registry + " and messenger "
                        + messenger + " recorded for it: run `peerkey deploy`");
                return state;
            }
            return state.withRegistry(registry, record.path("registryBlock").asLong(), messenger,
                    record.path("messengerBlock").asLong());
        } catch (IOException e) {
            throw new PeerkeyException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static boolean hasCode(Chain chain, String address) {
        String code = chain.send(chain.web3j().ethGetCode(address,
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST)).getCode();
        return code != null && code.length() > 2;
    }

    /** The port the saved chain was served on (0 if unknown): the resumed one is served there again if it can be. */
    int savedPort() {
        Path file = dir.resolve(DEPLOYMENT);
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try {
            return java.net.URI.create(JSON.readTree(file.toFile()).path("rpc").asText("")).getPort();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static boolean nonEmpty(Path directory) {
        try (Stream<Path> list = Files.list(directory)) {
            return list.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
