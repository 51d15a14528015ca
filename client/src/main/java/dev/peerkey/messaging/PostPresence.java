package dev.peerkey.messaging;

import dev.peerkey.chain.Chain;
import dev.peerkey.store.Post;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
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
        if (head() - post.block() >= CHECK_DEPTH) {
            return new Where(State.ON_CHAIN, post.block());
        }
        return answers.computeIfAbsent(ByteBuffer.wrap(post.txHash()), k -> ask(Numeric.toHexString(post.txHash())));
    }

    private Where ask(String txHash) {
        Optional<TransactionReceipt> receipt = chain.send(chain.web3j().ethGetTransactionReceipt(txHash))
                .getTransactionReceipt();
        if (receipt.isPresent() && receipt.get().getBlockHash() != null && receipt.get().getBlockNumber() != null) {
            BigInteger number = receipt.get().getBlockNumber();
            EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(number), false)).getBlock();
            // A node answers with the canonical chain's receipt; the block hash makes sure of it.
            if (block != null && receipt.get().getBlockHash().equalsIgnoreCase(block.getHash())) {
                return new Where(State.ON_CHAIN, number.longValueExact());
            }
            return new Where(State.GONE, null);
        }
        Optional<Transaction> pooled = chain.send(chain.web3j().ethGetTransactionByHash(txHash)).getTransaction();
        return new Where(pooled.isPresent() ? State.PENDING : State.GONE, null);
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
