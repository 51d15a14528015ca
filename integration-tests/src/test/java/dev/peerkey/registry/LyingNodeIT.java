package dev.peerkey.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.peerkey.chain.Chain;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.it.RelayContract;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint40;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * A node that lies: a JSON-RPC proxy on 127.0.0.1 in front of a real Hardhat node
 * rewrites answers, and the client must refuse them rather than trust them. Key changes are
 * checked from the registry's logs alone, so forged, relabelled or hidden logs are caught, and a
 * rotation submitted through a relay contract verifies like any other.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class LyingNodeIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static TestChain node;
    private static HttpServer proxy;
    private static final AtomicReference<UnaryOperator<String>> TAMPER = new AtomicReference<>(UnaryOperator.identity());
    private static String registryAddress;
    private static IdentityKey alice;
    private static IdentityKey bob;
    private static IdentityKey bobNext;
    /** Registered with a recovery key, then recovered to {@link #carolNext}. */
    private static IdentityKey carol;
    private static IdentityKey carolNext;
    private static RecoveryKey carolRecovery;
    /** Rotated to {@link #daveNext} through a relay contract. */
    private static IdentityKey dave;
    private static IdentityKey daveNext;

    @BeforeParameterizedClassInvocation
    static void start(NodeKind kind) throws IOException {
        node = TestChain.start(kind);
        IdentityKey payer = node.fundedKey();
        Registry honest = Registry.deploy(node.chain(), payer.credentials(), Duration.ofSeconds(2), m -> { })
                .registry();
        registryAddress = honest.address();
        Instant end = Instant.now().plus(Duration.ofDays(30));
        alice = node.fundedKey();
        honest.register(alice, end);
        bob = node.fundedKey();
        bobNext = IdentityKey.generate();
        honest.register(bob, end);
        honest.rotate(bob.id(), bob, bobNext, end);

        carol = IdentityKey.generate();
        carolNext = IdentityKey.generate();
        carolRecovery = RecoveryKey.generate();
        honest.submit(honest.signRegistration(carol, end, carolRecovery.address()), payer.credentials());
        honest.startRecovery(carol.id(), carolRecovery, carolNext.publicKey(), payer.credentials());
        Instant readyAt = honest.recovery(carol.id()).readyAt().orElseThrow();
        while (latestBlockTime().isBefore(readyAt)) {
            node.mine();
        }
        honest.completeRecovery(carol.id(), carolNext, end, payer.credentials());

        dave = IdentityKey.generate();
        daveNext = IdentityKey.generate();
        honest.submit(honest.signRegistration(dave, end), payer.credentials());
        long signedAt = Instant.now().getEpochSecond();
        byte[] digest = new TypedData(node.chain().chainId(), registryAddress).rotateKey(dave.id().bytes(),
                Hash.sha3(daveNext.publicKey().bytes()), end.getEpochSecond(), signedAt, 1);
        String rotation = FunctionEncoder.encode(new Function("rotateKey", java.util.List.of(
                new Bytes32(dave.id().bytes()), new DynamicBytes(daveNext.publicKey().bytes()),
                new Uint40(end.getEpochSecond()), new Uint40(signedAt), new DynamicBytes(dave.signatureBytes(digest)),
                new DynamicBytes(daveNext.signatureBytes(digest))), java.util.List.of()));
        RelayContract.deploy(node, payer).forward(payer, registryAddress, rotation, RegistryErrors.INSTANCE);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/", exchange -> {
            byte[] request = exchange.getRequestBody().readAllBytes();
            String answer;
            try {
                answer = http.send(HttpRequest.newBuilder(URI.create(node.rpcUrl()))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            byte[] body = TAMPER.get().apply(answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        proxy.start();
    }

    private static Instant latestBlockTime() {
        return Instant.ofEpochSecond(node.chain().send(node.chain().web3j()
                .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp()
                .longValueExact());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        proxy.stop(0);
        node.close();
    }

    private static Registry throughProxy() {
        Chain chain = Chain.connect("http://127.0.0.1:" + proxy.getAddress().getPort());
        return Registry.at(chain, registryAddress, m -> { });
    }

    @Test
    void anHonestAnswerPassesThroughTheProxy() {
        TAMPER.set(UnaryOperator.identity());
        assertEquals(alice.publicKey(), throughProxy().require(alice.id()).publicKey());
    }

    @Test
    void aSubstitutedKeyIsRefused() {
        String real = alice.publicKey().hex().substring(2);
        String fake = IdentityKey.generate().publicKey().hex().substring(2);
        TAMPER.set(answer -> answer.replace(real, fake));
        Registry registry = throughProxy();
        RegistryException e = assertThrows(RegistryException.class, () -> registry.require(alice.id()));
        assertTrue(e.getMessage().contains("false answer") && e.getMessage().contains("does not hash to the ID"),
                e.getMessage());
    }

    @Test
    void anHonestRotationIsVerifiedThroughItsSignatures() {
        TAMPER.set(UnaryOperator.identity());
        Registry registry = throughProxy();
        assertEquals(bobNext.publicKey(), registry.require(bob.id()).publicKey());
        assertEquals(2, registry.keyHistory(bob.id()).size());
    }

    @Test
    void anInventedRotationIsRefused() {
        String real = bobNext.publicKey().hex().substring(2);
        String fake = IdentityKey.generate().publicKey().hex().substring(2);
        TAMPER.set(answer -> answer.replace(real, fake));
        Registry registry = throughProxy();
        RegistryException e = assertThrows(RegistryException.class, () -> registry.require(bob.id()));
        assertTrue(e.getMessage().contains("false answer") || e.getMessage().contains("cannot verify"),
                e.getMessage());
    }

    @Test
    void aKeyThatIsNotACurvePointIsRefused() {
        String real = alice.publicKey().hex().substring(2);
        String broken = real.substring(0, 126) + (real.endsWith("00") ? "01" : "00");
        TAMPER.set(answer -> answer.replace(real, broken));
        Registry registry = throughProxy();
        RegistryException e = assertThrows(RegistryException.class, () -> registry.require(alice.id()));
        assertTrue(e.getMessage().contains("not a valid secp256k1 point"), e.getMessage());
    }

    private static void assertRefused(Registry registry, org.junit.jupiter.api.function.Executable lookup) {
        RegistryException e = assertThrows(RegistryException.class, lookup);
        assertTrue(e.getMessage().contains("false answer") || e.getMessage().contains("cannot verify"),
                e.getMessage());
    }

    @Test
    void aRotationSubmittedThroughARelayContractVerifies() {
        TAMPER.set(UnaryOperator.identity());
        Registry registry = throughProxy();
        assertEquals(daveNext.publicKey(), registry.require(dave.id()).publicKey());
        assertEquals(2, registry.keyHistory(dave.id()).size());
    }

    @Test
    void anHonestRecoveryIsVerifiedThroughItsLogs() {
        TAMPER.set(UnaryOperator.identity());
        Registry registry = throughProxy();
        IdentityRecord record = registry.require(carol.id());
        assertEquals(carolNext.publicKey(), record.publicKey());
        assertEquals(1, record.keyIndex());
        assertEquals(2, registry.keyHistory(carol.id()).size());
        assertEquals(carolRecovery.address(), registry.recovery(carol.id()).recoveryAddress().orElseThrow());
    }

    @Test
    void aForgedKeyRotatedLogIsRefused() {
        // The node puts another key into dave's relayed rotation, in its logs and its views alike.
        String real = daveNext.publicKey().hex().substring(2);
        String fake = IdentityKey.generate().publicKey().hex().substring(2);
        TAMPER.set(answer -> answer.replace(real, fake));
        Registry registry = throughProxy();
        assertRefused(registry, () -> registry.require(dave.id()));
        assertRefused(registry, () -> registry.keyHistory(dave.id()));
    }

    @Test
    void aForgedKeyRecoveredLogIsRefused() {
        String real = carolNext.publicKey().hex().substring(2);
        String fake = IdentityKey.generate().publicKey().hex().substring(2);
        TAMPER.set(answer -> answer.replace(real, fake));
        Registry registry = throughProxy();
        assertRefused(registry, () -> registry.require(carol.id()));
    }

    @Test
    void aForgedRecoveryKeySetLogIsRefused() {
        // The node claims carol's recovery key is one it controls: its own recovery would then "verify".
        String real = carolRecovery.address().substring(2).toLowerCase();
        String fake = RecoveryKey.generate().address().substring(2).toLowerCase();
        TAMPER.set(answer -> answer.replace(real, fake));
        Registry registry = throughProxy();
        assertRefused(registry, () -> registry.recovery(carol.id()));
        assertRefused(registry, () -> registry.require(carol.id()));
    }

    @Test
    void aRecoveryRelabelledAsARotationIsRefused() {
        String recovered = EventEncoder.encode(IdentityRegistry.KEYRECOVERED_EVENT);
        String rotated = EventEncoder.encode(IdentityRegistry.KEYROTATED_EVENT);
        TAMPER.set(answer -> answer.replace(recovered, rotated));
        Registry registry = throughProxy();
        assertRefused(registry, () -> registry.require(carol.id()));
    }

    @Test
    void aHiddenRotationLogIsRefused() {
        String rotated = EventEncoder.encode(IdentityRegistry.KEYROTATED_EVENT);
        TAMPER.set(answer -> answer.contains(rotated) ? withoutLogs(answer, rotated) : answer);
        Registry registry = throughProxy();
        RegistryException e = assertThrows(RegistryException.class, () -> registry.require(bob.id()));
        assertTrue(e.getMessage().contains("false answer") && e.getMessage().contains("signed key history"),
                e.getMessage());
    }

    /** An eth_getLogs answer with the logs whose first topic is {@code topic} removed. */
    private static String withoutLogs(String answer, String topic) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode tree =
                    (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(answer);
            com.fasterxml.jackson.databind.node.ArrayNode kept = json.createArrayNode();
            tree.path("result").forEach(log -> {
                if (!topic.equalsIgnoreCase(log.path("topics").path(0).asText())) {
                    kept.add(log);
                }
            });
            tree.set("result", kept);
            return json.writeValueAsString(tree);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
