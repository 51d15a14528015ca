package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.IdentityStatus;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.RequestStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;

/**
 * Issue 10, item 7: a chain with no block for more than five minutes (an idle PoA network, a dev
 * node nobody uses). On a real Anvil node the latest block is made ten minutes old (mined with the
 * node's clock set back, then the clock set right again), so the block that takes the next
 * transaction is made now. Register, rotate, request and accept must then all go through: the
 * client simulates them against the time they will be mined at, not against the old block. Also
 * through a node that knows no block overrides (the pending block is used) and one that cannot
 * simulate a newer block at all (the freshness refusal our clock explains does not stop the
 * transaction).
 */
class IdleChainIT {
    private static final Duration IDLE = Duration.ofMinutes(10);
    private static final Endpoint ENDPOINT = Endpoint.parse("127.0.0.1:7000");

    private static TestChain node;
    private static Registry deployed;
    private static MessengerContract messenger;

    private final Instant yearAhead = Instant.now().plus(Duration.ofDays(365));

    @BeforeAll
    static void deploy() {
        node = TestChain.start(NodeKind.ANVIL);
        deployed = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), deployed.address(),
                m -> { }).messenger();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Any answer: Anvil's time methods return numbers, which web3j's VoidResponse does not take. */
    public static final class AnyResponse extends Response<Object> { }

    private static void rpc(String method, Object... params) {
        node.chain().send(node.chain().request(method, List.of(params), AnyResponse.class));
    }

    /** Makes the latest block {@link #IDLE} old by our clock; the next block is made at our time. */
    private static void idle() {
        rpc("anvil_setTime", Instant.now().minus(IDLE).getEpochSecond());
        rpc("evm_mine");
        rpc("anvil_setTime", Instant.now().getEpochSecond());
        long latest = node.chain().send(node.chain().web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST,
                false)).getBlock().getTimestamp().longValueExact();
        assertTrue(Instant.now().getEpochSecond() - latest >= IDLE.toSeconds() - 5, "the chain is not idle");
    }

    @Test
    void registerRotateRequestAndAcceptGoThroughOnAnIdleChain() {
        runOnIdleChain(node.rpcUrl(), deployed, messenger);
    }

    @Test
    void aNodeWithoutBlockOverridesSimulatesAgainstThePendingBlock() {
        try (OldNodeProxy proxy = OldNodeProxy.start(node.rpcUrl(), false);
                Chain chain = Chain.connect(proxy.url())) {
            runOnIdleChain(proxy.url(), Registry.at(chain, deployed.address(), m -> { }),
                    MessengerContract.at(chain, messenger.address(), m -> { }));
            assertTrue(proxy.refusedOverrides > 0, "the client never tried a block override");
        }
    }

    @Test
    void aNodeThatSimulatesOnlyTheLatestBlockStillTakesTheTransactions() {
        try (OldNodeProxy proxy = OldNodeProxy.start(node.rpcUrl(), true);
                Chain chain = Chain.connect(proxy.url())) {
            runOnIdleChain(proxy.url(), Registry.at(chain, deployed.address(), m -> { }),
                    MessengerContract.at(chain, messenger.address(), m -> { }));
        }
    }

    @Test
    void aSignatureFromAClockThatIsWrongIsStillRefusedAndTheClockBlamed() {
        IdentityKey alice = node.fundedKey();
        idle();
        LocalIdentity me = LocalIdentity.of(alice);
        IdentityKey bob = node.fundedKey();
        deployed.register(alice, yearAhead);
        deployed.register(bob, yearAhead);
        idle();
        // Signed an hour ahead of every clock: the block that takes it (made now) refuses it too.
        PendingHandshake ahead = new Handshake(messenger.domain()).start(me, peer(deployed, bob),
                Instant.now().plus(Duration.ofHours(1)), ENDPOINT);
        RevertException e = assertThrows(RevertException.class,
                () -> messenger.requestAuth(alice.credentials(), ahead.request()));
        assertEquals("FutureTimestamp", e.errorName());
        assertTrue(e.getMessage().endsWith("(check the clock)"), e.getMessage());
    }

    private void runOnIdleChain(String rpcUrl, Registry registry, MessengerContract contract) {
        IdentityKey alice = node.fundedKey();
        IdentityKey bob = node.fundedKey();
        IdentityKey aliceNext = IdentityKey.generate();

        idle();
        registry.register(alice, yearAhead);
        assertEquals(IdentityStatus.ACTIVE, registry.require(alice.id()).status());
        idle();
        registry.submit(registry.signRegistration(bob, yearAhead, null), bob.credentials());
        assertEquals(IdentityStatus.ACTIVE, registry.require(bob.id()).status());

        idle();
        registry.rotate(alice.id(), alice, aliceNext, yearAhead);
        assertEquals(aliceNext.publicKey(), registry.require(alice.id()).publicKey());

        Handshake handshake = new Handshake(contract.domain());
        LocalIdentity aliceNow = LocalIdentity.of(alice.id(), aliceNext);
        idle();
        PendingHandshake pending = handshake.start(aliceNow, peer(registry, bob), Instant.now(), ENDPOINT);
        contract.requestAuth(alice.credentials(), pending.request());
        idle();
        Acceptance acceptance = handshake.accept(LocalIdentity.of(bob), new Peer(alice.id(), aliceNext.publicKey()),
                pending.request(), Instant.now(), ENDPOINT);
        contract.acceptAuth(bob.credentials(), pending.request(), acceptance.accept());
        assertEquals(RequestStatus.ACCEPTED, contract.requestStatus(pending.request().requestId(contract.domain())));
    }

    private static Peer peer(Registry registry, IdentityKey key) {
        return new Peer(key.id(), registry.require(key.id()).publicKey());
    }

    /**
     * A JSON-RPC proxy in front of the node that behaves like an older node: it refuses eth_call and
     * eth_estimateGas with more parameters than the call and a block (no state or block overrides),
     * and with {@code latestOnly} it also simulates a "pending" call against the latest block.
     */
    static final class OldNodeProxy implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpServer server;
        volatile int refusedOverrides;

        private OldNodeProxy(String upstream, boolean latestOnly) throws IOException {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                ObjectNode request = (ObjectNode) JSON.readTree(exchange.getRequestBody().readAllBytes());
                String method = request.path("method").asText();
                JsonNode params = request.path("params");
                String answer;
                boolean simulation = method.equals("eth_call") || method.equals("eth_estimateGas");
                if (simulation && params.size() > 2) {
                    refusedOverrides++;
                    answer = "{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"error\":{\"code\":-32602,"
                            + "\"message\":\"too many arguments, want at most 2\"}}";
                } else {
                    if (latestOnly && simulation && params.size() == 2 && "pending".equals(params.get(1).asText())) {
                        ((ArrayNode) params).set(1, JSON.getNodeFactory().textNode("latest"));
                    }
                    if (latestOnly && method.equals("eth_estimateGas") && params.size() == 1) {
                        ((ArrayNode) params).add("latest");
                    }
                    try {
                        answer = http.send(HttpRequest.newBuilder(URI.create(upstream))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        static OldNodeProxy start(String upstream, boolean latestOnly) {
            try {
                return new OldNodeProxy(upstream, latestOnly);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
