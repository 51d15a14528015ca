package dev.peerkey.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/** Help pages list a command's own options first and the options every command takes after them. */
final class HelpLayout {
    private HelpLayout() {}

    static void applyTo(CommandLine command) {
        command.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING,
                help -> "");
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                HelpLayout::optionSections);
        command.getSubcommands().values().forEach(HelpLayout::applyTo);
    }

    private static String optionSections(Help help) {
        List<OptionSpec> options = help.commandSpec().options().stream().filter(o -> !o.hidden()).toList();
        List<OptionSpec> own = options.stream().filter(o -> !GlobalOptionOrder.isGlobal(o)).toList();
        List<OptionSpec> global = options.stream().filter(GlobalOptionOrder::isGlobal).toList();
        StringBuilder text = new StringBuilder();
        if (!own.isEmpty()) {
            text.append(String.format("%nOptions:%n")).append(list(help, own));
        }
        text.append(String.format("%nGlobal options:%n")).append(list(help, global));
        return text.toString();
    }

    private static String list(Help help, List<OptionSpec> options) {
        Help.Layout layout = help.createDefaultLayout();
        Help.IParamLabelRenderer labels = help.createDefaultParamLabelRenderer();
        options.stream()
                .sorted(java.util.Comparator.comparing(o -> o.longestName().replaceFirst("^-+", "")))
                .forEach(option -> layout.addOption(option, labels));
        return layout.toString();
    }
}
