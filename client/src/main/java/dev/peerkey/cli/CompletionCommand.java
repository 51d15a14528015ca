package dev.peerkey.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints the shell completion script picocli derives from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script for Bash and Zsh: commands, subcommands and options.",
            "Load it in this shell with: source <(peerkey completion). For every new Bash:"
                    + " peerkey completion > ~/.local/share/bash-completion/completions/peerkey."
                    + " Zsh reads it after: autoload -U +X bashcompinit && bashcompinit."})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("peerkey", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
