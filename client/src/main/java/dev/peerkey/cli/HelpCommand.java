package dev.peerkey.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code peerkey help chain start}: the help of any command, however deep. */
@Command(name = "help", helpCommand = true, description = "Show the help of a command: peerkey help chain start.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, with its subcommands.")
    List<String> path = List.of();

    private CommandLine self;
    private PrintWriter out;
    private CommandLine.Help.Ansi ansi;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme,
            PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.out = out;
        this.ansi = colorScheme.ansi();
    }

    @Override
    public void run() {
        CommandLine command = self.getParent();
        for (String name : path) {
            CommandLine next = command.getSubcommands().get(name);
            if (next == null) {
                throw new CommandLine.ParameterException(self, "unknown command '"
                        + command.getCommandSpec().qualifiedName() + " " + name + "'");
            }
            command = next;
        }
        command.usage(out, ansi);
    }
}
