package dev.peerkey.cli;

import dev.peerkey.agent.AgentServer;
import dev.peerkey.chain.CheckedContracts;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine;

/** The unlock agent's process (see `peerkey unlock`): an {@link AgentServer} that also runs the
 * commands its clients hand over ({@link AgentRun}). */
public final class AgentMain {
    private AgentMain() {
    }

    /** {@code AgentMain HOME UNTIL_EPOCH_MILLIS}, the keys on stdin. */
    public static void main(String[] args) {
        PrintStream stdout = System.out;
        InAgent.routeStandardStreams(); // from now on, a command's output goes to its client
        CheckedContracts.rememberInThisProcess(); // one command after another, against one deployment
        AgentServer.run(args, stdout, AgentMain::run);
    }

    /** Runs a client's command in the agent of {@code profile} (its {@link dev.peerkey.agent.CommandRunner}). */
    private static OptionalInt run(Path profile, List<String> args, boolean terminal, PrintStream out, PrintStream err) {
        if (AgentRun.plan(args, Map.of()).isEmpty() || args.stream().anyMatch(a -> a.equals("--home") || a.startsWith("--home="))) {
            return OptionalInt.empty(); // not a command the agent runs, or one naming a home: the client runs it
        }
        List<String> full = new ArrayList<>();
        full.add("--home=" + profile);
        full.addAll(args);
        InAgent.Client client = new InAgent.Client(terminal, out, err);
        InAgent.enter(client);
        try {
            CommandLine cli = Main.commandLine(full.toArray(String[]::new));
            cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
            cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
            int exit = Main.execute(cli, full.toArray(String[]::new));
            return client.runHere ? OptionalInt.empty() : OptionalInt.of(exit);
        } finally {
            InAgent.leave();
        }
    }
}
