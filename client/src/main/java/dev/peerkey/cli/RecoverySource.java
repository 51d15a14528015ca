package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.RecoveryKey;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** Where a recovery command reads the recovery key from: a file `id new` wrote, or the words. */
final class RecoverySource {
    @Option(names = "--recovery-file", paramLabel = "FILE", required = true,
            description = "The recovery key file `id new --recovery-file` wrote.")
    Path file;

    @Option(names = "--recovery-words-stdin", required = true,
            description = "Read the 24 recovery words from standard input (asked for without echo on a terminal).")
    boolean stdin;

    RecoveryKey load() {
        if (file != null) {
            return RecoveryKey.readFile(file);
        }
        return RecoveryKey.fromWords(words());
    }

    private static String words() {
        Console console = System.console();
        if (Terminal.interactive()) {
            char[] typed = console.readPassword("Recovery words: ");
            if (typed == null) {
                throw new PeerkeyException("no recovery words: the input ended before they were entered");
            }
            String words = new String(typed);
            Arrays.fill(typed, '\0');
            return words;
        }
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PeerkeyException("cannot read the recovery words from standard input: " + e.getMessage());
        }
    }
}
