package dev.peerkey.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** A malformed command line gets one error line and a hint, not the whole help page. */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        if (!(e instanceof UnmatchedArgumentException) && !command.getSubcommands().isEmpty()) {
            command.usage(err); // a command group typed alone: the list of its commands is the answer
            return Main.USAGE;
        }
        err.println("error: " + TerminalText.escape(message(e, command)));
        List<String> suggestions = e instanceof UnmatchedArgumentException unmatched
                ? unmatched.getSuggestions() : List.of();
        if (!suggestions.isEmpty()) {
            err.println("hint: did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3,
                    suggestions.size()))) + "?");
        }
        err.println("see '" + name + " --help'");
        return Main.USAGE;
    }

    private static String message(ParameterException e, CommandLine command) {
        if (e instanceof UnmatchedArgumentException unmatched && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + command.getCommandSpec().qualifiedName() + " "
                    + unmatched.getUnmatched().get(0) + "'";
        }
        return e.getMessage();
    }
}
