package dev.peerkey.messaging;

import dev.peerkey.chain.Chain;
import dev.peerkey.store.Post;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthTransaction;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Asks the chain whether mailbox posts are still there: a post's transaction whose receipt the
 * node no longer has (and which is not waiting in its pool either) was dropped by a chain
 * reorganisation, and its message must be posted again. One instance per resend check: it
 * remembers each transaction's answer, so a batch that carried many messages is asked about once.
 */
final class PostPresence {
    /** Where a post is now. */
    enum State {
        /** Mined in a block of the canonical chain (or too deep to be reorganised: not asked). */
        ON_CHAIN,
        /** Known to the node but not mined (back in its pool): it will be mined, not lost. */
        PENDING,
        /** Neither mined nor pending: a reorganisation dropped it. */
        GONE
    }

    /**
     * Posts this many blocks below the head or deeper count as final and are not asked about: the
     * mailbox follower, too, remembers no deeper fork point ({@link MailboxFollower#CHECKPOINTS}),
     * and Ethereum finalises in two epochs of 32 blocks.
     */
    static final int CHECK_DEPTH = MailboxFollower.CHECKPOINTS;

    private final Chain chain;
    private final Map<ByteBuffer, Where> answers = new HashMap<>();
    private Long head;

    /** A post's state, and the block it is in now if mined (a reorganisation may have moved it). */
    record Where(State state, Long block) { }

    PostPresence(Chain chain) {
        this.chain = chain;
    }

    /** Where {@code post} is now. */
    Where of(Post post) {
        if (deep(post)) {
            return new Where(State.ON_CHAIN, post.block());
        }
        ask(List.of(post));
        return answers.get(ByteBuffer.wrap(post.txHash()));
    }

    /**
     * Asks the node about all of {@code posts} at once (a few batched round trips, however many),
     * so that {@link #of} answers from memory.
     */
    void ask(Collection<Post> posts) {
        List<String> hashes = posts.stream().filter(post -> !deep(post))
                .map(post -> Numeric.toHexString(post.txHash())).distinct()
                .filter(hash -> !answers.containsKey(key(hash))).toList();
        if (hashes.isEmpty()) {
            return;
        }
        List<Optional<TransactionReceipt>> receipts = chain.sendAll(hashes.stream()
                .map(hash -> chain.web3j().ethGetTransactionReceipt(hash)).toList())
                .stream().map(EthGetTransactionReceipt::getTransactionReceipt).toList();
        List<String> mined = new ArrayList<>();
        List<TransactionReceipt> minedReceipts = new ArrayList<>();
        List<String> notMined = new ArrayList<>();
        for (int i = 0; i < hashes.size(); i++) {
            Optional<TransactionReceipt> receipt = receipts.get(i);
            if (receipt.isPresent() && receipt.get().getBlockHash() != null && receipt.get().getBlockNumber() != null) {
                mined.add(hashes.get(i));
                minedReceipts.add(receipt.get());
            } else {
                notMined.add(hashes.get(i));
            }
        }
        // A node answers with the canonical chain's receipt; the block's hash makes sure of it.
        List<EthBlock.Block> blocks = chain.sendAll(minedReceipts.stream().map(receipt -> chain.web3j()
                .ethGetBlockByNumber(DefaultBlockParameter.valueOf(receipt.getBlockNumber()), false)).toList())
                .stream().map(EthBlock::getBlock).toList();
        for (int i = 0; i < mined.size(); i++) {
            TransactionReceipt receipt = minedReceipts.get(i);
            EthBlock.Block block = blocks.get(i);
            // No block at that height yet (a replica behind the one that gave the receipt): not gone.
            answers.put(key(mined.get(i)), block == null ? new Where(State.PENDING, null)
                    : receipt.getBlockHash().equalsIgnoreCase(block.getHash())
                    ? new Where(State.ON_CHAIN, receipt.getBlockNumber().longValueExact())
                    : new Where(State.GONE, null));
        }
        List<Optional<Transaction>> pooled = chain.sendAll(notMined.stream()
                .map(hash -> chain.web3j().ethGetTransactionByHash(hash)).toList())
                .stream().map(EthTransaction::getTransaction).toList();
        for (int i = 0; i < notMined.size(); i++) {
            answers.put(key(notMined.get(i)), new Where(pooled.get(i).isPresent() ? State.PENDING : State.GONE, null));
        }
    }

    /** Whether {@code post} is deep enough to count as final: the node is not asked about it. */
    private boolean deep(Post post) {
        return head() - post.block() >= CHECK_DEPTH;
    }

    private static ByteBuffer key(String txHash) {
        return ByteBuffer.wrap(Numeric.hexStringToByteArray(txHash));
    }

    private long head() {
        if (head == null) {
            EthBlock.Block latest = chain.send(chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST,
                    false)).getBlock();
            head = latest == null || latest.getNumberRaw() == null ? Long.MAX_VALUE : latest.getNumber().longValueExact();
        }
        return head;
    }
}
