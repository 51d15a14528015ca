package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.it.ProviderProxy;
import dev.peerkey.it.TestChain;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * {@link Chain#sendAll}: several requests in one JSON-RPC batch, against each real node, and
 * through a provider that refuses batches or answers them out of order: the answers must be the
 * ones asked for, whatever the node does with the batch.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class ChainBatchIT {
    @Parameter
    NodeKind kind;

    private static TestChain node;

    @BeforeParameterizedClassInvocation
    static void start(NodeKind kind) {
        node = TestChain.start(kind);
        for (int i = 0; i < 5; i++) {
            node.mine();
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    @Test
    void aBatchIsOneRoundTripAndEachAnswerIsItsOwnRequests() {
        checkBatch(ProviderProxy.Batches.PASS, false);
    }

    @Test
    void aProviderThatRefusesBatchesGetsTheRequestsOneByOne() {
        checkBatch(ProviderProxy.Batches.REFUSE, true);
    }

    @Test
    void aProviderThatRefusesBatchesWithAnHttpErrorGetsTheRequestsOneByOne() {
        checkBatch(ProviderProxy.Batches.REFUSE_HTTP, true);
    }

    @Test
    void aProviderThatIsDownFailsABatchLikeOneRequest() {
        try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl()); Chain chain = Chain.connect(proxy.url())) {
            proxy.fail(ProviderProxy.Failure.unavailable());
            var blocks = LongStream.rangeClosed(0, 1).mapToObj(n -> chain.web3j().ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), false)).toList();
            assertThrows(NodeUnavailableException.class, () -> chain.sendAll(blocks));
            assertEquals(1, proxy.failed(), "no request one by one after the node said it is unavailable");
        }
    }

    @Test
    void answersOutOfOrderAreNotPairedWithTheWrongRequests() {
        checkBatch(ProviderProxy.Batches.REVERSE, true);
    }

    @Test
    void aLongListGoesInBatchesOfAtMostAHundred() {
        try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl()); Chain chain = Chain.connect(proxy.url())) {
            List<Long> numbers = LongStream.range(0, 150).map(i -> i % 6).boxed().toList();
            List<EthBlock.Block> blocks = blocks(chain, numbers);
            assertEquals(2, proxy.batchRequests());
            assertEquals(150, proxy.calls("eth_getBlockByNumber"));
            for (int i = 0; i < numbers.size(); i++) {
                assertEquals(numbers.get(i), blocks.get(i).getNumber().longValueExact());
            }
        }
    }

    @Test
    void aNodeErrorInABatchIsReportedLikeOneAlone() {
        try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl()); Chain chain = Chain.connect(proxy.url())) {
            var bad = chain.request("peerkey_noSuchMethod", List.of(), EthBlock.class);
            var good = chain.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.ONE), false);
            ChainException e = assertThrows(ChainException.class, () -> chain.sendAll(List.of(good, bad)));
            assertTrue(e.getMessage().contains("answered peerkey_noSuchMethod with an error"), e.getMessage());
        }
    }

    /**
     * Blocks 0..5 asked in one call: one batch reaches the node (then, if its answer is unusable, the
     * six requests one by one), and each answer is the block asked for, as asking alone shows.
     */
    private static void checkBatch(ProviderProxy.Batches mode, boolean oneByOne) {
        try (ProviderProxy proxy = ProviderProxy.start(node.rpcUrl()); Chain chain = Chain.connect(proxy.url())) {
            proxy.batches(mode);
            List<Long> numbers = LongStream.rangeClosed(0, 5).boxed().toList();
            List<EthBlock.Block> blocks = blocks(chain, numbers);
            assertEquals(1, proxy.batchRequests());
            assertEquals(oneByOne ? 12 : 6, proxy.calls("eth_getBlockByNumber"));
            for (int i = 0; i < numbers.size(); i++) {
                assertEquals(numbers.get(i), blocks.get(i).getNumber().longValueExact());
                String alone = chain.send(chain.web3j().ethGetBlockByNumber(
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(numbers.get(i))), false)).getBlock().getHash();
                assertEquals(alone, blocks.get(i).getHash());
            }
        }
    }

    /** The blocks of {@code numbers}, asked in one {@link Chain#sendAll}. */
    private static List<EthBlock.Block> blocks(Chain chain, List<Long> numbers) {
        return chain.sendAll(numbers.stream().map(n -> chain.web3j().ethGetBlockByNumber(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), false)).toList())
                .stream().map(EthBlock::getBlock).toList();
    }
}
