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
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * A real node started for a test class on a free 127.0.0.1 port: Hardhat unless the system
 * property {@code peerkey.test.node} (hardhat, anvil, ganache) or the caller names another.
 */
public final class TestChain implements AutoCloseable {
    private final LocalNode node;
    private final Chain chain;

    private TestChain(LocalNode node) {
        this.node = node;
        this.chain = Chain.connect(node.rpcUrl());
    }

    public static TestChain start() {
        return start(NodeKind.parse(System.getProperty("peerkey.test.node", "hardhat")));
    }

    public static TestChain start(NodeKind kind) {
        try {
            Path log = Files.createTempFile("peerkey-it-" + kind.option(), ".log");
            return new TestChain(LocalNode.start(kind, projectRoot(), log, message -> { }, false));
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

    /** Calls a node method that answers nothing of interest, e.g. Hardhat's {@code evm_mine}. */
    public void rpc(String method, Object... params) {
        chain.send(new Request<>(method, List.of(params), new HttpService(node.rpcUrl()), VoidResponse.class));
    }

    /** Turns Hardhat's mining of each transaction on arrival on or off (then transactions wait in the pool). */
    public void automine(boolean on) {
        rpc("evm_setAutomine", on);
    }

    /** The chain's latest block number. */
    public long head() {
        return chain.blockNumber();
    }

    /** Anvil: mines {@code blocks} empty blocks at once ({@code anvil_mine}). */
    public void mine(int blocks) {
        rpc("anvil_mine", "0x" + Integer.toHexString(blocks));
    }

    /**
     * Anvil: removes the newest {@code depth} blocks ({@code anvil_rollback}); the chain is that
     * much shorter and their transactions are gone (not back in the pool).
     */
    public void rollback(int depth) {
        rpc("anvil_rollback", depth);
    }

    /** A transaction to include again in a {@link #reorg}: in the new block {@code blockOffset} (0: the first). */
    public record Replay(String rawTransaction, int blockOffset) { }

    /**
     * Anvil: replaces the newest {@code depth} blocks with as many new ones ({@code anvil_reorg}),
     * which hold only the {@code replay} transactions; every other transaction of the replaced
     * blocks is gone (not back in the pool). The chain keeps its height; the blocks' hashes change.
     */
    public void reorg(int depth, Replay... replay) {
        List<List<Object>> txs = new java.util.ArrayList<>();
        for (Replay r : replay) {
            txs.add(List.of(r.rawTransaction(), r.blockOffset()));
        }
        rpc("anvil_reorg", depth, txs);
    }

    /** The signed bytes of a mined transaction ({@code eth_getRawTransactionByHash}), to {@link Replay} it. */
    public String rawTransaction(String txHash) {
        String raw = chain.send(new Request<>("eth_getRawTransactionByHash", List.of(txHash),
                new HttpService(node.rpcUrl()), Text.class)).getResult();
        if (raw == null) {
            throw new IllegalStateException("the node does not know transaction " + txHash);
        }
        return raw;
    }

    /** A JSON-RPC answer that is one string. */
    public static final class Text extends org.web3j.protocol.core.Response<String> { }

    @Override
    public void close() {
        chain.close();
        node.close();
    }
}
