package dev.peerkey.cli;

import dev.peerkey.agent.Agent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey lock`: the profile's unlock agent wipes its keys and exits. */
@Command(name = "lock", mixinStandardHelpOptions = true,
        description = {"Lock the profile now: its unlock agent (see `peerkey unlock`) wipes the keys it holds and"
                + " exits, and commands ask for the password again. A socket left by an agent that died is removed."})
final class LockCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Override
    public void run() {
        Output out = new Output(options.json);
        Agent agent = Agent.of(options.home);
        String state;
        if (agent.lock()) {
            state = "locked";
        } else if (agent.staleSocket()) {
            Path socket = Agent.socket(options.home);
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new dev.peerkey.PeerkeyException("cannot remove the stale agent socket " + socket + ": "
                        + e.getMessage());
            }
            state = "not unlocked (removed a stale agent socket)";
        } else {
            state = "not unlocked";
        }
        if (options.json) {
            var fields = Output.fields();
            fields.put("profile", options.home.toString());
            fields.put("state", state.startsWith("locked") ? "locked" : "notUnlocked");
            out.result(fields);
        } else {
            out.text(state + ": " + options.home);
        }
    }
}
