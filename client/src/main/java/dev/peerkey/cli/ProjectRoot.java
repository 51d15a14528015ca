package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The peerkey checkout the CLI runs from; the local chain is started from its Hardhat install. */
final class ProjectRoot {
    private ProjectRoot() { }

    /** PEERKEY_ROOT (set by the launcher), else the checkout holding client/target/peerkey.jar. */
    static Path find() {
        String env = System.getenv("PEERKEY_ROOT");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        try {
            Path jar = Path.of(ProjectRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("hardhat.config.js"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the error below
        }
        throw new PeerkeyException("cannot find the peerkey checkout (hardhat.config.js): set PEERKEY_ROOT");
    }
}
