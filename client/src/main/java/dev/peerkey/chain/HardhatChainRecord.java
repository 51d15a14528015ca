package dev.peerkey.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.web3j.protocol.core.Response;
import org.web3j.utils.Numeric;

/**
 * A Hardhat chain saved as its blocks, since Hardhat's node keeps no state of its own: the chain
 * id, the genesis block's hash and timestamp, and per block its timestamp, hash and transactions
 * (raw signed, as sent, with the receipt's status). {@link #replay} rebuilds the chain on a new
 * node started with the same genesis timestamp, block by block at the saved timestamps, so that
 * signatures checked against block.timestamp pass as they did; then the node's clock is brought
 * back to the present.
 */
public final class HardhatChainRecord {
    /** The file in the saved chain's directory. */
    public static final String FILE = "hardhat-chain.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long chainId;
    private final String genesisHash;
    private final long genesisTimestamp;
    private final List<JsonNode> blocks;

    private HardhatChainRecord(long chainId, String genesisHash, long genesisTimestamp, List<JsonNode> blocks) {
        this.chainId = chainId;
        this.genesisHash = genesisHash;
        this.genesisTimestamp = genesisTimestamp;
        this.blocks = blocks;
    }

    /** Any JSON answer (a block, a receipt, a node method's result). */
    public static final class JsonAnswer extends Response<JsonNode> { }

    public long chainId() {
        return chainId;
    }

    public String genesisHash() {
        return genesisHash;
    }

    /** The genesis block's time: a node started with this as its initial date has the same genesis. */
    public Instant genesisTime() {
        return Instant.ofEpochSecond(genesisTimestamp);
    }

    /** The number of blocks after the genesis. */
    public int blockCount() {
        return blocks.size();
    }

    /** Reads every block 1..latest of the node behind {@code chain}, with its transactions re-encoded. */
    public static HardhatChainRecord read(Chain chain, Consumer<String> progress) {
        long latest = chain.blockNumber();
        JsonNode genesis = block(chain, 0, false);
        if (latest > 200) {
            progress.accept("saving the " + latest + " blocks of the Hardhat chain…");
        }
        List<JsonNode> blocks = new ArrayList<>();
        for (long n = 1; n <= latest; n++) {
            JsonNode block = block(chain, n, true);
            ObjectNode saved = JSON.createObjectNode();
            saved.put("number", n);
            saved.put("timestamp", quantity(block, "timestamp"));
            saved.put("hash", block.path("hash").asText());
            ArrayNode txs = saved.putArray("transactions");
            for (JsonNode tx : block.path("transactions")) {
                byte[] raw = RawTransactions.encode(tx);
                String hash = tx.path("hash").asText();
                if (!RawTransactions.hash(raw).equalsIgnoreCase(hash)) {
                    throw new ChainException("transaction " + hash + " in block " + n
                            + " cannot be encoded again as it was sent (its hash comes out "
                            + RawTransactions.hash(raw) + ")");
                }
                String from = tx.path("from").asText();
                String signer = RawTransactions.signer(raw);
                if (signer == null || !signer.equalsIgnoreCase(from)) {
                    throw new ChainException("block " + n + ": transaction " + hash + " from " + from + " carries no"
                            + " signature of its sender (it was sent through the node's hardhat_impersonateAccount or"
                            + " another unsigned way), so no node takes it again: this chain cannot be saved to be"
                            + " resumed");
                }
                JsonNode receipt = chain.send(chain.request("eth_getTransactionReceipt", List.of(hash),
                        JsonAnswer.class)).getResult();
                ObjectNode entry = txs.addObject();
                entry.put("hash", hash.toLowerCase(java.util.Locale.ROOT));
                entry.put("raw", Numeric.toHexString(raw));
                entry.put("status", receipt == null ? null : receipt.path("status").asText(null));
            }
            blocks.add(saved);
        }
        return new HardhatChainRecord(chain.chainId(), genesis.path("hash").asText().toLowerCase(java.util.Locale.ROOT),
                quantity(genesis, "timestamp"), blocks);
    }

    /** Writes the record to {@code dir}/{@value #FILE} atomically: a reader finds the old file or the new. */
    public void write(Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("chainId", chainId);
        root.put("genesisHash", genesisHash);
        root.put("genesisTimestamp", genesisTimestamp);
        root.putArray("blocks").addAll(blocks);
        try {
            dev.peerkey.PrivateDirectory.create(dir);
            Path tmp = Files.createTempFile(dir, FILE, ".tmp");
            JSON.writeValue(Files.newOutputStream(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS), root);
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ChainException("cannot save the Hardhat chain in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The record saved in {@code dir}, or null if there is none. */
    public static HardhatChainRecord load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            List<JsonNode> blocks = new ArrayList<>();
            root.path("blocks").forEach(blocks::add);
            if (!root.hasNonNull("genesisHash") || !root.hasNonNull("genesisTimestamp") || !root.hasNonNull("chainId")) {
                throw new IOException("it names no genesis block or chain id");
            }
            return new HardhatChainRecord(root.path("chainId").asLong(), root.path("genesisHash").asText(),
                    root.path("genesisTimestamp").asLong(), blocks);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException json ? json.getOriginalMessage()
                    : e.getMessage();
            throw new ChainException("the saved Hardhat chain " + file + " is unreadable (" + why.lines().findFirst().orElse("")
                    + "): `peerkey chain start --fresh` starts a new chain");
        }
    }

    /** What a replay did: every one of {@code blocks} came out with its saved hash. */
    public record Replay(int blocks, int transactions, long millis) {
    }

    /**
     * Replays the saved blocks on the node behind {@code chain}, a fresh one started with
     * {@link #genesisTime()} as its initial date: each block's transactions are sent as they were
     * and the block is mined at its saved timestamp; each block must come out with its saved hash
     * (which commits to its parent, its transactions, their receipts and the state), else the replay
     * stops there. Then automining is on again and the node's clock follows the wall clock. A
     * divergence throws a {@link ChainException} that says what differs.
     *
     * <p>This checks the replay against the record, not the record itself: the file is plain JSON, and
     * whoever can write the chain directory can rewrite it consistently (drop blocks at its end, or
     * replay an edited history on a node of their own and save that); only the chain directory's
     * permissions keep others out.
     */
    public Replay replay(Chain chain, Consumer<String> progress) {
        long start = System.nanoTime();
        if (chain.chainId() != chainId || !chain.genesisHash().equalsIgnoreCase(genesisHash)) {
            throw diverged("the new node's genesis block (chain id " + chain.chainId() + ", hash "
                    + chain.genesisHash() + ") is not the saved one (chain id " + chainId + ", hash " + genesisHash + ")");
        }
        if (chain.blockNumber() != 0) {
            throw diverged("the new node already has " + chain.blockNumber() + " blocks");
        }
        if (!blocks.isEmpty()) {
            progress.accept("replaying " + blocks.size() + " blocks of the saved Hardhat chain…");
        }
        node(chain, "evm_setAutomine", false);
        int transactions = 0;
        long lastTimestamp = genesisTimestamp;
        long nextReport = System.nanoTime() + 10_000_000_000L;
        try {
            for (JsonNode saved : blocks) {
                long number = saved.path("number").asLong();
                lastTimestamp = saved.path("timestamp").asLong();
                node(chain, "evm_setNextBlockTimestamp", lastTimestamp);
                for (JsonNode tx : saved.path("transactions")) {
                    String hash;
                    try {
                        hash = chain.send(chain.request("eth_sendRawTransaction", List.of(tx.path("raw").asText()),
                                JsonAnswer.class)).getResult().asText();
                    } catch (NodeUnavailableException e) {
                        throw e;
                    } catch (ChainException e) {
                        throw diverged("block " + number + ": the node refused transaction "
                                + tx.path("hash").asText() + " (" + e.getMessage() + ")");
                    }
                    if (!hash.equalsIgnoreCase(tx.path("hash").asText())) {
                        throw diverged("block " + number + ": the node took transaction " + tx.path("hash").asText()
                                + " as " + hash);
                    }
                    transactions++;
                }
                node(chain, "evm_mine");
                JsonNode block = block(chain, number, false);
                String hash = block.path("hash").asText();
                if (!hash.equalsIgnoreCase(saved.path("hash").asText())) {
                    List<String> expected = new ArrayList<>();
                    saved.path("transactions").forEach(tx -> expected.add(tx.path("hash").asText().toLowerCase(java.util.Locale.ROOT)));
                    List<String> mined = new ArrayList<>();
                    block.path("transactions").forEach(tx -> mined.add(tx.asText().toLowerCase(java.util.Locale.ROOT)));
                    throw diverged("block " + number + " came out with the hash " + hash + ", not the recorded "
                            + saved.path("hash").asText() + (expected.equals(mined)
                                    ? ", though it holds the recorded transactions: the record is not the chain that"
                                    + " ran (was it edited?), or this node computes other outcomes"
                                    : ": it was mined with the transactions " + mined + ", not " + expected));
                }
                if (System.nanoTime() > nextReport) {
                    progress.accept("replayed " + number + " of " + blocks.size() + " blocks…");
                    nextReport = System.nanoTime() + 10_000_000_000L;
                }
            }
        } finally {
            node(chain, "evm_setAutomine", true);
        }
        // The node's clock stands at the last saved block: move it to the present (never back), without a block.
        long behind = Instant.now().getEpochSecond() - lastTimestamp;
        if (behind > 0) {
            node(chain, "evm_increaseTime", behind);
        }
        return new Replay(blocks.size(), transactions, (System.nanoTime() - start) / 1_000_000);
    }

    private static ChainException diverged(String what) {
        return new ChainException("the saved Hardhat chain could not be replayed: " + what
                + "; `peerkey chain start --fresh` discards it and starts a new chain");
    }

    private static void node(Chain chain, String method, Object... params) {
        chain.send(chain.request(method, List.of(params), JsonAnswer.class));
    }

    private static JsonNode block(Chain chain, long number, boolean full) {
        JsonNode block = chain.send(chain.request("eth_getBlockByNumber",
                List.of(Numeric.encodeQuantity(BigInteger.valueOf(number)), full), JsonAnswer.class)).getResult();
        if (block == null || block.isNull() || !block.hasNonNull("hash")) {
            throw new ChainException("the chain node at " + chain.rpcUrl() + " did not return block " + number);
        }
        return block;
    }

    private static long quantity(JsonNode node, String field) {
        return Numeric.toBigInt(node.path(field).asText("0x0")).longValueExact();
    }

}
