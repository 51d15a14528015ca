package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `peerkey` command line. */
@Command(
        name = "peerkey",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Decentralized PKI and end-to-end encrypted messenger on Ethereum.",
        subcommands = {
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
            HelpCommand.class
        },
        footer = "%nGlobal options (--home, --rpc, --json, ...) go before or after the command.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the action failed (the message says why)", "2:invalid command line"})
public final class Main implements Runnable {
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
        return execute(commandLine(), args);
    }

    static int execute(CommandLine cli, String... args) {
        return cli.execute(GlobalOptionOrder.normalise(cli, args));
    }

    /** The command tree with its error handling, its help pages laid out and an example on each. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"peerkey " + (version == null ? "dev" : version)};
        }
    }
}
