package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes the manual page, peerkey(1), made from the same command tree as the help pages. */
@Command(name = "manpage", mixinStandardHelpOptions = true,
        description = {"Print the manual page peerkey(1) in roff, or write it to DIR/peerkey.1 with --out.",
            "Read it with: peerkey manpage | man -l -"})
final class ManPageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Write DIR/peerkey.1 instead of printing it.")
    Path out;

    @Override
    public void run() {
        String page = ManPage.of(spec.root().commandLine());
        if (out == null) {
            spec.commandLine().getOut().print(page);
            spec.commandLine().getOut().flush();
            return;
        }
        Path file = out.resolve("peerkey.1");
        try {
            Files.createDirectories(out);
            Files.writeString(file, page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PeerkeyException("cannot write " + file + ": " + e.getMessage());
        }
        spec.commandLine().getOut().println("wrote " + file + " (read it with: man -l " + file + ")");
    }
}
