package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peerkey.it.FrontRunningProxy.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every user's CLI talks to the chain through a {@link FrontRunningProxy}: a front-runner who sees
 * the owner's signed {@code rotateKey} or {@code registerFor} submits it first — copied as it is,
 * or wrapped in a call through his own contract — and only then lets the owner's transaction
 * through, which reverts. The owner's command must report success, the owner's profile must hold
 * the key the chain holds, every client's lookup must verify, and handshakes and messages must
 * still work.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrontRunIT {
    @TempDir
    static Path dir;

    private static TestChain node;
    private static FrontRunningProxy proxy;
    private static Map<String, String> env;
    private static Cli alice;
    private static Cli bob;
    private static Cli carol;
    private static String aliceId;
    private static String bobId;

    @BeforeAll
    static void setUp() throws IOException {
        node = TestChain.start();
        proxy = FrontRunningProxy.start(node);
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        env = new HashMap<>(Map.of("PEERKEY_RPC", proxy.url(), "PEERKEY_PASSWORD_FILE", password.toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        JsonNode deployed = ok(profile("deployer"), "deploy", "--json").json();
        env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        alice = profile("alice");
        bob = profile("bob");
        carol = profile("carol");
        aliceId = ok(alice, "id", "new", "--fast-kdf", "--recovery-file", dir.resolve("alice.recovery").toString(),
                "--json").json().path("id").asText();
        ok(alice, "register");
        bobId = ok(bob, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(bob, "register");
    }

    @AfterAll
    static void tearDown() {
        proxy.close();
        node.close();
    }

    private static Cli profile(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return new Cli(own);
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    /** The front-run landed first and the owner's own transaction, passed on after it, reverted. */
    private static void assertFrontRunLanded(String function, Mode mode) {
        FrontRunningProxy.FrontRun run = proxy.onlyFrontRun();
        assertEquals(function, run.function());
        assertEquals(mode, run.mode());
        assertTrue(run.victimAnswer().contains("\"error\""), "the owner's transaction should revert: " + run);
    }

    /** Every other client's lookup verifies and shows {@code publicKey} as the identity's current key. */
    private static void assertEveryoneSees(String id, String publicKey) {
        for (Cli other : List.of(carol, bob, alice)) {
            JsonNode found = ok(other, "lookup", id, "--history", "--json").json();
            assertEquals(publicKey, found.path("publicKey").asText(), found::toString);
            assertEquals("active", found.path("status").asText(), found::toString);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Order(1)
    void aFrontRunRotationIsTheOwnersSuccess(Mode mode) {
        proxy.reset();
        proxy.arm(mode, "rotateKey");
        JsonNode rotated = ok(alice, "rotate", "--json").json();
        assertFrontRunLanded("rotateKey", mode);
        assertTrue(rotated.path("alreadyDone").asBoolean(), rotated::toString);
        String newKey = rotated.path("publicKey").asText();
        assertEquals(newKey, ok(alice, "id", "show", "--json").json().path("publicKey").asText());
        assertEveryoneSees(aliceId, newKey);

        JsonNode next = ok(alice, "rotate", "--json").json(); // the owner acts with the adopted key
        assertFalse(next.path("alreadyDone").asBoolean(), next::toString);
        assertEveryoneSees(aliceId, next.path("publicKey").asText());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Order(2)
    void aFrontRunRelayedRegistrationIsTheOwnersSuccess(Mode mode) {
        Cli dave = profile("dave-" + mode);
        String id = ok(dave, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        assertRegistrationFrontRunSucceeds(dave, id, mode, "register", "--relayed", "--json");
    }

    /** With a recovery key the registration is always the signed form, even when the owner pays. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    @Order(2)
    void aFrontRunSignedSelfPaidRegistrationIsTheOwnersSuccess(Mode mode) {
        Cli erin = profile("erin-" + mode);
        JsonNode created = ok(erin, "id", "new", "--fast-kdf", "--recovery-file",
                dir.resolve("erin-" + mode + ".recovery").toString(), "--json").json();
        String id = created.path("id").asText();
        JsonNode registered = assertRegistrationFrontRunSucceeds(erin, id, mode, "register", "--json");
        assertEquals(created.path("recoveryAddress").asText(), registered.path("recoveryAddress").asText());
        JsonNode status = ok(erin, "recover", "status", "--json").json();
        assertEquals(created.path("recoveryAddress").asText().toLowerCase(),
                status.path("recoveryAddress").asText().toLowerCase(), status::toString);
    }

    private static JsonNode assertRegistrationFrontRunSucceeds(Cli owner, String id, Mode mode, String... register) {
        String key = ok(owner, "id", "show", "--json").json().path("publicKey").asText();
        proxy.reset();
        proxy.arm(mode, "registerFor");
        Cli.Result result = ok(owner, register);
        assertFrontRunLanded("registerFor", mode);
        assertFalse(result.stderr().contains("already registered"), result::toString);
        JsonNode registered = result.json();
        assertTrue(registered.path("alreadyDone").asBoolean(), registered::toString);
        assertEveryoneSees(id, key);
        ok(owner, "rotate"); // the owner acts with it
        return registered;
    }

    @Test
    @Order(3)
    void aProfileThatMissedARotationAdoptsItWhenItNextActs() throws IOException {
        Path config = dir.resolve("alice/profile.json");
        Path before = dir.resolve("alice-profile-before.json");
        Files.copy(config, before, StandardCopyOption.REPLACE_EXISTING);
        String rotatedTo = ok(alice, "rotate", "--json").json().path("publicKey").asText();
        // The profile as a client that crashed between the chain and the disk would have left it.
        Files.copy(before, config, StandardCopyOption.REPLACE_EXISTING);
        assertNotEquals(rotatedTo, ok(alice, "id", "show", "--json").json().path("publicKey").asText());

        Cli.Result next = ok(alice, "rotate", "--json");
        assertTrue(next.stderr().contains("adopted key #"), next::toString);
        assertTrue(next.stderr().contains("a rotation landed that this profile had not recorded"), next::toString);
        assertEveryoneSees(aliceId, next.json().path("publicKey").asText());
    }

    @Test
    @Order(4)
    void handshakesAndMessagesStillWork() {
        proxy.reset();
        Cli.Result pending = alice.run("auth", bobId, "--timeout", "1s");
        assertEquals(1, pending.exitCode(), pending::toString); // Bob answers only when he next reads
        ok(bob, "accept", aliceId); // Alice is no contact of Bob's: her request waits for his consent
        ok(alice, "inbox");
        ok(bob, "inbox");
        ok(alice, "send", bobId, "after the front-runs", "--via", "chain");
        assertTrue(ok(bob, "inbox").stdout().contains("after the front-runs"));
        ok(bob, "send", aliceId, "and back", "--via", "chain");
        assertTrue(ok(alice, "inbox").stdout().contains("and back"));
    }
}
