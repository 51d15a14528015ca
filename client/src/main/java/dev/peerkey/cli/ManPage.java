package dev.peerkey.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Renders the command tree as one roff manual page (man(7) macros). */
final class ManPage {
    private static final Pattern ENV = Pattern.compile("env (PEERKEY_[A-Z_]+)");

    private final StringBuilder roff = new StringBuilder();

    private ManPage() {}

    static String of(CommandLine root) {
        return new ManPage().render(root);
    }

    private String render(CommandLine root) {
        CommandSpec spec = root.getCommandSpec();
        line(".TH PEERKEY 1 \"\" \"" + escape(spec.version().length > 0 ? spec.version()[0] : "peerkey")
                + "\" \"User Commands\"");
        line(".SH NAME");
        line("peerkey \\- " + escape(lowerFirst(text(spec.usageMessage().description()))));
        line(".SH SYNOPSIS");
        line(".B peerkey");
        line("\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]");
        line(".SH DESCRIPTION");
        paragraph("Every command prints its own help with --help; `peerkey help COMMAND ...` does the same."
                + " Global options may come before or after the command.");
        line(".SH COMMANDS");
        List<CommandLine> leaves = new ArrayList<>();
        collectLeaves(root, leaves);
        for (CommandLine leaf : leaves) {
            command(leaf.getCommandSpec());
        }
        line(".SH GLOBAL OPTIONS");
        List<OptionSpec> globals = leaves.stream()
                .flatMap(leaf -> leaf.getCommandSpec().options().stream())
                .filter(GlobalOptionOrder::isGlobal)
                .collect(java.util.stream.Collectors.toMap(OptionSpec::longestName, o -> o, (a, b) -> a,
                        java.util.LinkedHashMap::new))
                .values().stream().sorted(Comparator.comparing(OptionSpec::longestName)).toList();
        globals.forEach(this::option);
        line(".SH ENVIRONMENT");
        Set<String> variables = new TreeSet<>();
        globals.forEach(option -> {
            Matcher matcher = ENV.matcher(text(option.description()));
            while (matcher.find()) {
                variables.add(matcher.group(1));
            }
        });
        for (String variable : variables) {
            line(".TP");
            line(".B " + variable);
            line("See the global options.");
        }
        line(".SH EXIT STATUS");
        spec.usageMessage().exitCodeList().forEach((code, meaning) -> {
            line(".TP");
            line(".B " + escape(code.trim()));
            line(escape(meaning.trim()));
        });
        line(".SH SEE ALSO");
        paragraph("The README of the peerkey repository: a day of use, the threat model and the figures.");
        return roff.toString();
    }

    private static void collectLeaves(CommandLine command, List<CommandLine> leaves) {
        if (command.getCommandSpec().helpCommand() && command.getParent() != null) {
            return;
        }
        if (command.getSubcommands().isEmpty()) {
            leaves.add(command);
            return;
        }
        new LinkedHashSet<>(command.getSubcommands().values()).forEach(sub -> collectLeaves(sub, leaves));
    }

    private void command(CommandSpec spec) {
        StringBuilder synopsis = new StringBuilder(spec.qualifiedName());
        List<OptionSpec> own = spec.options().stream()
                .filter(option -> !option.hidden() && !GlobalOptionOrder.isGlobal(option)).toList();
        if (!own.isEmpty()) {
            synopsis.append(" [OPTIONS]");
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            synopsis.append(' ').append(parameter.arity().min == 0 ? "[" + parameter.paramLabel() + "]"
                    : parameter.paramLabel());
        }
        line(".SS \"" + escape(synopsis.toString()) + "\"");
        for (String description : spec.usageMessage().description()) {
            paragraph(description);
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            line(".TP");
            line(".I " + escape(parameter.paramLabel()));
            line(escape(text(parameter.description())));
        }
        own.stream().sorted(Comparator.comparing(OptionSpec::longestName)).forEach(this::option);
        for (String footer : spec.usageMessage().footer()) {
            String example = footer.replace("%n", "\n").strip();
            if (example.startsWith("Example:")) {
                line(".PP");
                line("Example:");
                line(".RS");
                line(".nf");
                line(escape(example.substring("Example:".length()).strip()));
                line(".fi");
                line(".RE");
            }
        }
    }

    private void option(OptionSpec option) {
        line(".TP");
        String label = option.arity().max() > 0 ? " \\fI" + escape(option.paramLabel()) + "\\fR" : "";
        line("\\fB" + String.join("\\fR, \\fB", java.util.Arrays.stream(option.names()).map(ManPage::escape)
                .toList()) + "\\fR" + label);
        String description = text(option.description());
        if (option.defaultValue() != null) {
            description = description.replace("${DEFAULT-VALUE}", option.defaultValueString());
        }
        line(escape(description));
    }

    private void paragraph(String text) {
        line(".PP");
        line(escape(text.replace("%n", " ")));
    }

    private void line(String text) {
        for (String line : text.split("\n", -1)) {
            roff.append(line.startsWith(".") && !isMacro(line) || line.startsWith("'") ? "\\&" + line : line)
                    .append('\n');
        }
    }

    private static boolean isMacro(String line) {
        return line.matches("\\.(TH|SH|SS|PP|TP|B|I|RS|RE|nf|fi)( .*)?");
    }

    private static String text(String[] lines) {
        return String.join(" ", lines).replace("%n", " ").replace("%%", "%").strip();
    }

    private static String lowerFirst(String text) {
        String sentence = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        return sentence.isEmpty() ? sentence : Character.toLowerCase(sentence.charAt(0)) + sentence.substring(1);
    }

    /** Roff escapes: a backslash is \e, a minus sign is \-, a line may not start with a dot. */
    static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-");
    }
}
