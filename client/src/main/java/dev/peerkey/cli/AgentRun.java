package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.agent.Agent;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * While a profile is unlocked, its agent runs the profile's short commands itself: the command
 * then starts in a warm JVM instead of a new one, which is most of its time. Only commands that
 * read no standard input and no file named on the command line go ({@link #COMMANDS}); the client
 * hands over its command line, its peerkey settings from the environment as options, and whether
 * it sits at a terminal, and copies the output back. A command that needs the client's own process
 * (a password the agent lacks, a question on the terminal) comes back before doing anything and
 * runs in the client as it would without an agent.
 */
final class AgentRun {
    /** The commands (and subcommands) the agent runs. */
    static final Set<String> COMMANDS = Set.of("send", "lookup", "sessions", "inbox", "outbox", "id show", "id list",
            "contact list");
    /**
     * Global options that take a value, and the environment variables the CLI reads them from: the
     * same as {@link GlobalOptions} declares (and {@link GlobalOptionOrder} reads from it), written
     * out here because reading them from the annotations would load picocli on the hand-over path.
     */
    private static final Map<String, String> VALUED = Map.of("--home", "PEERKEY_HOME", "--rpc", "PEERKEY_RPC",
            "--registry", "PEERKEY_REGISTRY", "--messenger", "PEERKEY_MESSENGER", "--chain-dir", "PEERKEY_CHAIN_DIR",
            "--password-file", "PEERKEY_PASSWORD_FILE");
    /** Options that mean the command must run here: it reads stdin, or prints its own help or version. */
    private static final Set<String> HERE = Set.of("--password-stdin", "--follow", "-h", "--help", "-V", "--version",
            "--");
    /** Environment variables the agent's command goes without (a password is the client's to use, if needed). */
    private static final Set<String> LEFT_HERE = Set.of("PEERKEY_ROOT", "PEERKEY_PASSWORD", "PEERKEY_PASSWORD_FILE");

    /** A system property that keeps every command in its own process (the launcher's AOT training run). */
    static final String LOCAL = "peerkey.local";

    private AgentRun() {
    }

    /** A command line the agent can run: the profile's home and the arguments without --home. */
    record Plan(Path home, List<String> args) {
    }

    /**
     * Runs the command in the profile's unlock agent if one runs and the command is one it runs.
     *
     * @return the exit code, or empty if the command is to run in this process
     */
    static OptionalInt inAgent(String[] args, Map<String, String> env) {
        if (Boolean.getBoolean(LOCAL)) {
            return OptionalInt.empty();
        }
        Optional<Plan> plan;
        try {
            plan = plan(List.of(args), env);
        } catch (java.nio.file.InvalidPathException e) {
            return OptionalInt.empty(); // the command line says what is wrong with the path
        }
        if (plan.isEmpty() || !Files.exists(Agent.socket(plan.get().home()), LinkOption.NOFOLLOW_LINKS)) {
            return OptionalInt.empty();
        }
        try {
            return Agent.of(plan.get().home()).run(plan.get().args(), Terminal.interactive(),
                    new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
        } catch (PeerkeyException e) {
            System.err.println("error: " + TerminalText.escape(e.getMessage()));
            return OptionalInt.of(Main.FAILURE);
        }
    }

    /**
     * The command line as the agent is to run it, or empty if it must run here: the settings the
     * environment gives become options (the agent has its own environment), paths become absolute
     * (it has its own working directory), and the home is taken out (the agent puts its own).
     */
    static Optional<Plan> plan(List<String> args, Map<String, String> env) {
        for (String name : env.keySet()) {
            if (name.startsWith("PEERKEY_") && !VALUED.containsValue(name) && !LEFT_HERE.contains(name)) {
                return Optional.empty(); // a setting the agent would not see (a test clock, say)
            }
        }
        List<String> rest = new ArrayList<>();
        Map<String, String> given = new HashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (HERE.contains(name) || arg.startsWith("@") || isHelpCluster(arg)) {
                return Optional.empty();
            }
            if (given.containsKey(name)) {
                return Optional.empty(); // given twice: the command line refuses that
            }
            if (VALUED.containsKey(name)) {
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    return Optional.empty(); // malformed: let the command line say so
                }
                given.put(name, value);
                continue;
            }
            if (!arg.startsWith("-") && words.size() < 2) {
                words.add(arg);
            }
            rest.add(arg);
        }
        if (words.isEmpty() || !(COMMANDS.contains(words.get(0))
                || words.size() == 2 && COMMANDS.contains(words.get(0) + " " + words.get(1)))
                || given.containsKey("--password-file")) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> option : VALUED.entrySet()) {
            String value = env.get(option.getValue());
            if (value != null && value.isEmpty()) {
                return Optional.empty(); // an empty setting: leave its meaning to the command line
            }
            if (value != null && !given.containsKey(option.getKey()) && !LEFT_HERE.contains(option.getValue())) {
                given.put(option.getKey(), value);
            }
        }
        Path home = Path.of(given.getOrDefault("--home", System.getProperty("user.home") + "/.peerkey"))
                .toAbsolutePath();
        given.remove("--home");
        List<String> planned = new ArrayList<>();
        given.forEach((name, value) -> planned.add(name + "="
                + (name.equals("--chain-dir") ? Path.of(value).toAbsolutePath().toString() : value)));
        planned.addAll(rest);
        return Optional.of(new Plan(home, planned));
    }

    /** Short options run together, like -hV: help or version among them is printed here. */
    private static boolean isHelpCluster(String arg) {
        return arg.startsWith("-") && !arg.startsWith("--") && (arg.indexOf('h') > 0 || arg.indexOf('V') > 0);
    }
}
