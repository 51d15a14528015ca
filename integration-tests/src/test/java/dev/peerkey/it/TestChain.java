package dev.peerkey.it;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.LocalNode;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * A real node started for a test class on a free 127.0.0.1 port: Hardhat unless the system
 * property {@code peerkey.test.node} (hardhat, anvil, ganache) or the caller names another.
 * The development methods tests need ({@link #setBalance}, {@link #mine}, {@link #increaseTime},
 * {@link #automine}) are called by each node's name for them.
 */
public final class TestChain implements AutoCloseable {
    private final LocalNode node;
    private final Chain chain;

    private TestChain(LocalNode node) {
        this.node = node;
        this.chain = Chain.connect(node.rpcUrl());
    }

    /**
     * The nodes a chain-facing test class runs against, for {@code @ParameterizedClass @MethodSource(MATRIX)}:
     * the system property {@code peerkey.test.nodes} (e.g. {@code anvil,ganache}), else all three.
     */
    public static List<NodeKind> matrix() {
        String nodes = System.getProperty("peerkey.test.nodes", "");
        if (nodes.isBlank()) {
            return List.of(NodeKind.values());
        }
        return java.util.Arrays.stream(nodes.split(",")).map(NodeKind::parse).distinct().toList();
    }

    /** The {@code @MethodSource} of {@link #matrix()}. */
    public static final String MATRIX = "dev.peerkey.it.TestChain#matrix";

    /**
     * The nodes where one account can queue several transactions while mining is paused (Hardhat,
     * Anvil): Ganache 7.9.2 leaves the pool out of an account's "pending" nonce. Narrowed by
     * {@code peerkey.test.nodes} like {@link #matrix()}.
     */
    public static List<NodeKind> queueingMatrix() {
        return matrix().stream().filter(kind -> kind != NodeKind.GANACHE).toList();
    }

    /** The {@code @MethodSource} of {@link #queueingMatrix()}. */
    public static final String QUEUEING_MATRIX = "dev.peerkey.it.TestChain#queueingMatrix";

    public static TestChain start() {
        return start(NodeKind.parse(System.getProperty("peerkey.test.node", "hardhat")));
    }

    public static TestChain start(NodeKind kind) {
        return start(kind, List.of());
    }

    /** A {@code kind} node started with {@code extraArguments} after the usual ones (e.g. an older hardfork). */
    public static TestChain start(NodeKind kind, List<String> extraArguments) {
        try {
            Path log = Files.createTempFile("peerkey-it-" + kind.option(), ".log");
            return new TestChain(LocalNode.start(kind, extraArguments, projectRoot(), log, message -> { }, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkout root, passed by Maven as the system property peerkey.root. */
    public static Path projectRoot() {
        return Path.of(System.getProperty("peerkey.root", "..")).toAbsolutePath().normalize();
    }

    public Chain chain() {
        return chain;
    }

    public NodeKind kind() {
        return node.kind();
    }

    public String rpcUrl() {
        return node.rpcUrl();
    }

    /** A new key whose account the node funded with 1 ETH. */
    public IdentityKey fundedKey() {
        IdentityKey key = IdentityKey.generate();
        chain.fundFromDevAccount(key.address(), BigInteger.TEN.pow(18));
        return key;
    }

    /**
     * The receipt of a sent transaction, once mined: Anvil answers a send before it has mined the
     * transaction (Hardhat and Ganache after), so a test must not read the receipt at once.
     */
    public TransactionReceipt receipt(String txHash) {
        return chain.awaitReceipt(txHash);
    }

    /** Calls a node method that answers nothing of interest, e.g. {@code evm_mine}. */
    public void rpc(String method, Object... params) {
        chain.send(new Request<>(method, List.of(params), new HttpService(node.rpcUrl()), VoidResponse.class));
    }

    /**
     * Turns the mining of each transaction on arrival on or off (then transactions wait in the pool
     * until {@link #mine()}): {@code evm_setAutomine} on Hardhat and Anvil, {@code miner_stop} and
     * {@code miner_start} on Ganache.
     */
    public void automine(boolean on) {
        switch (kind()) {
            case HARDHAT, ANVIL -> rpc("evm_setAutomine", on);
            case GANACHE -> rpc(on ? "miner_start" : "miner_stop");
        }
    }

    /** Geth's {@code txpool_content}: for "pending" and "queued", sender → nonce → transaction. */
    public static final class TxPoolContent extends Response<Map<String, Map<String, Map<String, Transaction>>>> {
    }

    /**
     * The transactions waiting in the pool (with mining paused): the "pending" block on Hardhat and
     * Anvil; {@code txpool_content} on Ganache, whose "pending" block is only the latest one.
     */
    public List<Transaction> pendingTransactions() {
        if (kind() == NodeKind.GANACHE) {
            Map<String, Map<String, Map<String, Transaction>>> pool = chain.send(new Request<>("txpool_content",
                    List.of(), new HttpService(node.rpcUrl()), TxPoolContent.class)).getResult();
            return pool.getOrDefault("pending", Map.of()).values().stream()
                    .flatMap(byNonce -> byNonce.values().stream()).toList();
        }
        EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.PENDING, true))
                .getBlock();
        return block.getTransactions().stream().map(result -> (Transaction) result.get()).toList();
    }

    /**
     * The next nonce of {@code address} counting the pool: its "pending" transaction count on Hardhat
     * and Anvil; on Ganache, which leaves the pool out of that count, the mined count plus its pool entries.
     */
    public long pendingNonce(String address) {
        if (kind() == NodeKind.GANACHE) {
            long mined = chain.send(chain.web3j().ethGetTransactionCount(address, DefaultBlockParameterName.LATEST))
                    .getTransactionCount().longValueExact();
            return mined + pendingTransactions().stream().filter(tx -> address.equalsIgnoreCase(tx.getFrom())).count();
        }
        return chain.send(chain.web3j().ethGetTransactionCount(address, DefaultBlockParameterName.PENDING))
                .getTransactionCount().longValueExact();
    }

    /** Mines one block now, with whatever the pool holds ({@code evm_mine} on every node). */
    public void mine() {
        rpc("evm_mine");
    }

    /** Moves the chain's clock {@code seconds} ahead for the next block ({@code evm_increaseTime} on every node). */
    public void increaseTime(long seconds) {
        rpc("evm_increaseTime", seconds);
    }

    /**
     * Sets {@code address}'s balance: {@code hardhat_setBalance} on Hardhat, {@code anvil_setBalance} on
     * Anvil, {@code evm_setAccountBalance} on Ganache.
     */
    public void setBalance(String address, BigInteger wei) {
        String method = switch (kind()) {
            case HARDHAT -> "hardhat_setBalance";
            case ANVIL -> "anvil_setBalance";
            case GANACHE -> "evm_setAccountBalance";
        };
        rpc(method, address, "0x" + wei.toString(16));
    }

    @Override
    public void close() {
        chain.close();
        node.close();
    }
}
