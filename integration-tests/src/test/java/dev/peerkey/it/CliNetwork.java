package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the CLI's integration tests start from: a registry and a messenger deployed on a test
 * node, and profiles in one directory that share a password file and find both contracts.
 */
public final class CliNetwork {
    private final Path dir;
    private final Map<String, String> env;

    private CliNetwork(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** Deploys both contracts on {@code node} from a "deployer" profile in {@code dir}. */
    public static CliNetwork deploy(TestChain node, Path dir) throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        CliNetwork network = new CliNetwork(dir, new HashMap<>(Map.of("PEERKEY_RPC", node.rpcUrl(),
                "PEERKEY_PASSWORD_FILE", password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString())));
        JsonNode deployed = ok(network.profile("deployer"), "deploy", "--json").json();
        network.env.put("PEERKEY_REGISTRY", deployed.path("registry").asText());
        network.env.put("PEERKEY_MESSENGER", deployed.path("messenger").asText());
        return network;
    }

    /** The messenger's address. */
    public String messenger() {
        return env.get("PEERKEY_MESSENGER");
    }

    /** The environment the CLI runs in for the profile {@code name}. */
    public Map<String, String> env(String name) {
        Map<String, String> own = new HashMap<>(env);
        own.put("PEERKEY_HOME", dir.resolve(name).toString());
        return own;
    }

    public Cli profile(String name) {
        return new Cli(env(name));
    }

    /** A new identity in {@code cli}'s profile (light KDF, no recovery key), registered for a year: its ID. */
    public static String newIdentity(Cli cli) {
        String id = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json").json().path("id").asText();
        ok(cli, "register", "--valid-for", "365d");
        return id;
    }

    /**
     * Makes A and B each other's contacts ({@code aName} is what B calls A) and completes a
     * handshake between them with no listener running, A asking: their session is established.
     */
    public static void connect(Cli a, String aName, String aId, Cli b, String bName, String bId) {
        ok(a, "contact", "add", bName, bId);
        ok(b, "contact", "add", aName, aId); // A's handshake is answered without `accept`
        a.run("auth", bName, "--timeout", "1s"); // pending: B runs no listener
        ok(b, "inbox");   // answers it
        ok(a, "inbox");   // completes it and confirms
        ok(b, "inbox");   // receives the confirmation
    }

    /** Runs the CLI and expects exit code 0. */
    public static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }
}
