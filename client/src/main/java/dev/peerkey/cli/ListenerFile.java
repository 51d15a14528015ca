package dev.peerkey.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.store.StoreKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * {@code listen.json} in the profile: the endpoint a running `listen` advertises and its pid,
 * so other commands of the profile (auth, send) tell peers where to reach it directly. The
 * endpoint is sealed under the store key, like every endpoint the profile keeps.
 */
final class ListenerFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILE = "listen.json";
    private static final String LABEL = "listen.json endpoint";

    private ListenerFile() {
    }

    static void write(Path home, Endpoint endpoint, StoreKey key) {
        String sealed = Base64.getEncoder().encodeToString(
                key.seal(LABEL, endpoint.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            dev.peerkey.PrivateDirectory.create(home);
            Path tmp = Files.createTempFile(home, FILE, ".tmp");
            JSON.writeValue(tmp.toFile(), Map.of("endpoint", sealed, "pid", ProcessHandle.current().pid()));
            Files.move(tmp, home.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new dev.peerkey.PeerkeyException("cannot write " + home.resolve(FILE) + ": " + e.getMessage());
        }
    }

    static void delete(Path home) {
        try {
            Files.deleteIfExists(home.resolve(FILE));
        } catch (IOException e) {
            // A stale file is ignored anyway once its pid is gone.
        }
    }

    /** The endpoint of this profile's running listener, if one runs. */
    static Optional<Endpoint> running(Path home, StoreKey key) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            var node = JSON.readTree(file.toFile());
            long pid = node.path("pid").asLong(-1);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                byte[] endpoint = key.open(LABEL, Base64.getDecoder().decode(node.path("endpoint").asText()));
                return Optional.of(Endpoint.parse(new String(endpoint, java.nio.charset.StandardCharsets.UTF_8)));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
