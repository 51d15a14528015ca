package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `peerkey` command line. */
@Command(
        name = "peerkey",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Decentralized PKI and end-to-end encrypted messenger on Ethereum.",
        footer = "%nGlobal options (--home, --rpc, --json, ...) go before or after the command.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the action failed (the message says why)", "2:invalid command line"})
public final class Main implements Runnable {
    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(
            ChainCommand.class,
            DeployCommand.class,
            IdCommand.class,
            RegisterCommand.class,
            LookupCommand.class,
            ContactCommand.class,
            VerifyCommand.class,
            RotateCommand.class,
            RevokeCommand.class,
            RecoverCommand.class,
            AuthCommand.class,
            SendCommand.class,
            InboxCommand.class,
            ListenCommand.class,
            ChatCommand.class,
            SessionsCommand.class,
            OutboxCommand.class,
            CancelCommand.class,
            RequestsCommand.class,
            AcceptCommand.class,
            DeclineCommand.class,
            BlockCommand.class,
            BlockCommand.Unblock.class,
            MailboxAccountCommand.class,
            UnlockCommand.class,
            LockCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            CompletionCommand.class,
            ManPageCommand.class,
            HelpCommand.class);
    /** Commands that show other commands, so need all of them. */
    private static final Set<String> SHOW_OTHERS = Set.of("help", "completion", "manpage");

    static final int FAILURE = 1;
    /** A malformed argument ({@link UsageException}), like any other invalid command line. */
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Runs the CLI in-process and returns its exit code. */
    public static int run(String... args) {
        return execute(commandLine(args), args);
    }

    static int execute(CommandLine cli, String... args) {
        return cli.execute(GlobalOptionOrder.normalise(cli, args));
    }

    /** The whole command tree with its error handling, its help pages laid out and an example on each. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command tree for {@code args}: if they name a command, with that command alone, since
     * picocli reads every command's annotations as it adds it, which is much of a short command's
     * start-up; else (help, a typo, nothing) with every command.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        String named = GlobalOptionOrder.firstWord(args);
        boolean known = named != null && !SHOW_OTHERS.contains(named)
                && COMMANDS.stream().anyMatch(type -> nameOf(type).equals(named));
        for (Class<?> type : COMMANDS) {
            if (!known || nameOf(type).equals(named)) {
                cli.addSubcommand(type);
            }
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InAgent.RunHere) {
                return FAILURE; // in the unlock agent: the client runs the command itself
            }
            if (e instanceof PeerkeyException) {
                // One line whatever the cause says: a peer's or a node's words may be part of it.
                commandLine.getErr().println("error: " + TerminalText.escape(e.getMessage()));
                return e instanceof UsageException ? USAGE : FAILURE;
            }
            throw e;
        });
        cli.setParameterExceptionHandler(new UsageErrors());
        HelpLayout.applyTo(cli);
        Examples.addTo(cli);
        return cli;
    }

    private static String nameOf(Class<?> type) {
        return type.getAnnotation(Command.class).name();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"peerkey " + (version == null ? "dev" : version)};
        }
    }
}
