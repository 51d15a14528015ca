package dev.peerkey.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets global options come before the command as well as after it: {@code peerkey --json id show}
 * is read as {@code peerkey id show --json}. Picocli only reads an option on the command that
 * declares it, and the global options are declared on each leaf command.
 */
final class GlobalOptionOrder {
    /** Each global option's name, with whether it takes a value. */
    private static final Map<String, Boolean> TAKES_VALUE = CommandSpec.forAnnotatedObject(new GlobalOptions())
            .options().stream()
            .flatMap(option -> java.util.Arrays.stream(option.names())
                    .map(name -> Map.entry(name, option.arity().max() > 0)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    private GlobalOptionOrder() {}

    static String[] normalise(CommandLine root, String... args) {
        List<String> path = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        CommandLine current = root;
        int i = 0;
        for (; i < args.length && !current.getSubcommands().isEmpty(); i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            Boolean takesValue = TAKES_VALUE.get(name);
            if (takesValue != null) {
                moved.add(arg);
                if (takesValue && !arg.contains("=") && i + 1 < args.length) {
                    moved.add(args[++i]);
                }
            } else if (current.getSubcommands().containsKey(arg)) {
                path.add(arg);
                current = current.getSubcommands().get(arg);
            } else {
                break; // anything else (--help, a typo): leave the line as typed
            }
        }
        if (moved.isEmpty() || !declaresGlobals(current.getCommandSpec())) {
            return args;
        }
        List<String> result = new ArrayList<>(path);
        result.addAll(moved);
        result.addAll(List.of(args).subList(i, args.length));
        return result.toArray(String[]::new);
    }

    /** The first word of {@code args} that is neither a global option nor its value (the command's name), or null. */
    static String firstWord(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            Boolean takesValue = TAKES_VALUE.get(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg);
            if (takesValue != null) {
                if (takesValue && !arg.contains("=")) {
                    i++;
                }
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    private static boolean declaresGlobals(CommandSpec command) {
        return command.optionsMap().keySet().containsAll(TAKES_VALUE.keySet());
    }

    /** Whether the option is one of the global ones. */
    static boolean isGlobal(OptionSpec option) {
        return TAKES_VALUE.containsKey(option.longestName())
                || option.usageHelp() || option.versionHelp();
    }
}
