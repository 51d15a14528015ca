package dev.peerkey.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.NodeKind;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import dev.peerkey.transport.ChainEvent.PostEvent;
import dev.peerkey.transport.ChainEvent.RequestEvent;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events of one sender in one block, read back in order, on each node that lets one account queue
 * several transactions while mining is paused: Hardhat and Anvil. Ganache 7.9.2 counts only mined
 * transactions in an account's "pending" nonce, so the client's second transaction would take the
 * first one's nonce; its mining is never paused outside tests (it mines each transaction on arrival).
 */
@ParameterizedClass(name = "{0}", allowZeroInvocations = true) // none when peerkey.test.nodes=ganache
@MethodSource(TestChain.QUEUEING_MATRIX)
class MessengerBlockOrderIT {
    private static final Endpoint ENDPOINT = Endpoint.parse("127.0.0.1:7000");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static TestChain node;
    private static Registry registry;
    private static MessengerContract messenger;
    private static Handshake handshake;

    private final Instant yearAhead = Instant.now().plus(Duration.ofDays(365));

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), registry.address(),
                m -> { }).messenger();
        handshake = new Handshake(messenger.domain());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    private IdentityKey registered() {
        IdentityKey key = node.fundedKey();
        registry.register(key, yearAhead);
        return key;
    }

    private static PendingHandshake start(IdentityKey initiator, IdentityKey responder) {
        Peer peer = new Peer(responder.id(), registry.require(responder.id()).publicKey());
        return handshake.start(LocalIdentity.of(initiator), peer, Instant.now(), ENDPOINT);
    }

    private static byte[] randomTag() {
        byte[] tag = new byte[MessengerContract.TAG_LENGTH];
        RANDOM.nextBytes(tag);
        return tag;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<ChainEvent> events(MessengerContract contract, long from, IdentityKey me, byte[]... tags) {
        return contract.events(from, contract.latestBlock(), me.id(), List.of(tags));
    }

    private static void assertOrdered(List<ChainEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            ChainEvent a = events.get(i - 1);
            ChainEvent b = events.get(i);
            assertTrue(a.block() < b.block() || a.block() == b.block() && a.logIndex() < b.logIndex(),
                    events::toString);
        }
    }

    @Test
    void eventsInOneBlockAreOrderedByLogIndexAcrossBothQueries() throws Exception {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        IdentityKey sender = node.fundedKey(); // one sender, so its nonces fix the order in the block
        byte[] bobTag = randomTag();
        PendingHandshake pending = start(alice, bob);
        long from = messenger.latestBlock() + 1;

        List<TxResult> mined = inOneBlock(sender, List.of(
                () -> messenger.post(sender.credentials(), bobTag, utf8("first")),
                () -> messenger.requestAuth(sender.credentials(), pending.request()),
                () -> messenger.post(sender.credentials(), bobTag, utf8("third"))));

        long block = mined.get(0).blockNumber();
        List<ChainEvent> bobSees = events(messenger, from, bob, bobTag);
        assertEquals(3, bobSees.size(), bobSees::toString);
        assertTrue(bobSees.stream().allMatch(e -> e.block() == block), bobSees::toString);
        assertOrdered(bobSees);
        assertArrayEquals(utf8("first"), assertInstanceOf(PostEvent.class, bobSees.get(0)).envelope());
        assertEquals(pending.request(), assertInstanceOf(RequestEvent.class, bobSees.get(1)).request());
        assertArrayEquals(utf8("third"), assertInstanceOf(PostEvent.class, bobSees.get(2)).envelope());
    }

    /**
     * Runs the sends, all from {@code sender}, so that they land in one block in the given order:
     * mining is paused, each waits in the pool (so takes the next nonce) before the next is sent,
     * then one block is mined.
     */
    private static List<TxResult> inOneBlock(IdentityKey sender, List<Supplier<TxResult>> sends) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sends.size());
        node.automine(false);
        try {
            List<Future<TxResult>> results = new ArrayList<>();
            long nonce = pendingNonce(sender);
            for (Supplier<TxResult> send : sends) {
                results.add(pool.submit(send::get));
                awaitPendingNonce(sender, ++nonce);
            }
            node.mine();
            List<TxResult> mined = new ArrayList<>();
            for (Future<TxResult> result : results) {
                mined.add(result.get(1, TimeUnit.MINUTES));
            }
            return mined;
        } finally {
            node.automine(true);
            pool.shutdownNow();
        }
    }

    private static long pendingNonce(IdentityKey sender) {
        return node.pendingNonce(sender.address());
    }

    private static void awaitPendingNonce(IdentityKey sender, long nonce) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pendingNonce(sender) < nonce) {
            assertTrue(System.nanoTime() < deadline, "the transaction never reached the pool");
            Thread.sleep(5);
        }
    }
}
