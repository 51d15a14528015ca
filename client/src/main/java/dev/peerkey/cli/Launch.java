package dev.peerkey.cli;

import java.util.OptionalInt;

/**
 * The `peerkey` program. While the profile is unlocked, its agent runs the short commands warm
 * ({@link AgentRun}); any other command runs here ({@link Main}). Kept apart from {@link Main} so
 * that a command the agent runs loads none of the command line's classes.
 */
public final class Launch {
    private Launch() {
    }

    public static void main(String[] args) {
        OptionalInt inAgent = AgentRun.inAgent(args, System.getenv());
        System.exit(inAgent.isPresent() ? inAgent.getAsInt() : Main.run(args));
    }
}
