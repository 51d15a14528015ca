package dev.peerkey.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.peerkey.chain.Chain;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.TestChain;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node that lies: a JSON-RPC proxy on 127.0.0.1 in front of a real Hardhat node
 * rewrites answers, and the client must refuse them rather than trust them.
 */
class LyingNodeIT {
    private static TestChain node;
    private static HttpServer proxy;
    private static final AtomicReference<UnaryOperator<String>> TAMPER = new AtomicReference<>(UnaryOperator.identity());
    private static String registryAddress;
    private static IdentityKey alice;
    private static IdentityKey bob;
    private static IdentityKey bobNext;

    @BeforeAll
    static void start() throws IOException {
        node = TestChain.start();
        Registry honest = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        registryAddress = honest.address();
        alice = node.fundedKey();
        honest.register(alice, Instant.now().plus(Duration.ofDays(30)));
        bob = node.fundedKey();
        bobNext = IdentityKey.generate();
        honest.register(bob, Instant.now().plus(Duration.ofDays(30)));
        honest.rotate(bob.id(), bob, bobNext, Instant.now().plus(Duration.ofDays(30)));

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

    @AfterAll
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
}
