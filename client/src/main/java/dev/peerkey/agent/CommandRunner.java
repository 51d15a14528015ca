package dev.peerkey.agent;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs a peerkey command inside the unlock agent on behalf of a client process of the same user, so
 * that the command starts warm. The command line comes from the layer above (the CLI).
 */
@FunctionalInterface
public interface CommandRunner {
    /**
     * @param profile the agent's profile, which the command must use
     * @param terminal whether the client process sits at a terminal (stdin and stdout)
     * @return the exit code, or empty if the command needs what only the client's process has (a
     *         password prompt, a terminal) and stopped before doing anything
     */
    OptionalInt run(Path profile, List<String> args, boolean terminal, PrintStream out, PrintStream err);
}
