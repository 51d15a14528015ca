package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineLayoutTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return Main.execute(cli, args);
    }

    @Test
    void globalOptionsBeforeTheCommandMoveAfterIt() {
        CommandLine cli = Main.commandLine();
        assertArrayEquals(new String[] {"id", "show", "--json"},
                GlobalOptionOrder.normalise(cli, "--json", "id", "show"));
        assertArrayEquals(new String[] {"send", "--home", "/h", "--rpc=http://x", "bob", "hi"},
                GlobalOptionOrder.normalise(cli, "--home", "/h", "send", "--rpc=http://x", "bob", "hi"));
        assertArrayEquals(new String[] {"send", "--home", "/h", "--rpc=http://x", "bob", "hi"},
                GlobalOptionOrder.normalise(cli, "--home", "/h", "--rpc=http://x", "send", "bob", "hi"));
        assertArrayEquals(new String[] {"chain", "start", "--chain-dir", "/c", "--node", "anvil"},
                GlobalOptionOrder.normalise(cli, "--chain-dir", "/c", "chain", "start", "--node", "anvil"));
        // Nothing to move, or nowhere to move it: the line stays as typed.
        assertArrayEquals(new String[] {"--help"}, GlobalOptionOrder.normalise(cli, "--help"));
        assertArrayEquals(new String[] {"--json", "chain"}, GlobalOptionOrder.normalise(cli, "--json", "chain"));
        assertArrayEquals(new String[] {"send", "bob", "--json"}, GlobalOptionOrder.normalise(cli, "send", "bob", "--json"));
    }

    @Test
    void aGlobalOptionBeforeTheCommandIsHonoured(@TempDir Path home) {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("--home", home.toString(), "--json", "id", "list"));
        } finally {
            System.setOut(stdout);
        }
        assertEquals("{\"identities\":[]}", printed.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void aMistypedOptionGetsOneLineAndAHint() {
        assertEquals(Main.USAGE, run("lookup", "--histroy", "bob"));
        List<String> lines = err.toString().lines().toList();
        assertEquals(List.of("error: Unknown option: '--histroy'", "hint: did you mean --history?",
                "see 'peerkey lookup --help'"), lines);
        assertEquals("", out.toString());
    }

    @Test
    void aMistypedCommandGetsAHintToo() {
        assertEquals(Main.USAGE, run("chain", "strat"));
        assertTrue(err.toString().startsWith("error: unknown command 'peerkey chain strat'"), err.toString());
        assertTrue(err.toString().contains("hint: did you mean") && err.toString().contains("start"), err.toString());
        assertEquals(3, err.toString().lines().count(), err.toString());
    }

    @Test
    void aCommandGroupAloneListsItsCommands() {
        assertEquals(Main.USAGE, run("chain"));
        assertTrue(err.toString().contains("Commands:") && err.toString().contains("status"), err.toString());
    }

    @Test
    void helpFollowsAPathOfCommands() {
        assertEquals(0, run("help", "chain", "start"));
        assertTrue(out.toString().startsWith("Usage: peerkey chain start [OPTIONS]"), out.toString());
        assertEquals(Main.USAGE, run("help", "chain", "strat"));
        assertTrue(err.toString().startsWith("error: unknown command 'peerkey chain strat'"), err.toString());
    }

    @Test
    void ownOptionsComeBeforeTheGlobalOnes() {
        assertEquals(0, run("send", "--help"));
        String help = out.toString();
        int own = help.indexOf("\nOptions:");
        int global = help.indexOf("\nGlobal options:");
        assertTrue(own > 0 && global > own, help);
        assertTrue(help.indexOf("  --via=") > own && help.indexOf("  --via=") < global, help);
        assertTrue(help.indexOf("  --home=") > global && help.indexOf("  --json") > global, help);
    }

    @Test
    void everyCommandHasAnExampleThatParses() {
        for (CommandLine command : all(Main.commandLine())) {
            String footer = String.join("\n", command.getCommandSpec().usageMessage().footer());
            String name = command.getCommandSpec().qualifiedName();
            assertTrue(footer.contains("Example:"), name + " has no example");
            String example = footer.substring(footer.indexOf("Example:")).replace("%n", "\n").lines()
                    .skip(1).findFirst().orElseThrow().strip();
            if (example.startsWith("peerkey ") && !example.contains("&&") && !example.contains("<(")) {
                String[] args = words(example.substring("peerkey ".length()));
                CommandLine fresh = Main.commandLine();
                fresh.parseArgs(GlobalOptionOrder.normalise(fresh, args)); // throws if the example is wrong
            }
        }
    }

    @Test
    void completionScriptCompletesCommands(@TempDir Path dir) throws Exception {
        assertEquals(0, run("completion"));
        Path script = dir.resolve("peerkey-completion.bash");
        Files.writeString(script, out.toString(), StandardCharsets.UTF_8);
        Process bash = new ProcessBuilder("bash", "-c", "source \"$0\"; COMP_WORDS=(peerkey cha); COMP_CWORD=1;"
                + " _complete_peerkey; echo \"${COMPREPLY[@]}\"", script.toString())
                .redirectErrorStream(true).start();
        String completions = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor());
        assertEquals(List.of("chain", "chat"), List.of(completions.split(" ")));
    }

    @Test
    void manPageHasEveryCommandInValidRoff() {
        assertEquals(0, run("manpage"));
        String page = out.toString();
        assertTrue(page.startsWith(".TH PEERKEY 1 "), page);
        for (CommandLine command : all(Main.commandLine())) {
            if (command.getSubcommands().isEmpty() && !command.getCommandSpec().helpCommand()) {
                String name = ManPage.escape(command.getCommandSpec().qualifiedName());
                assertTrue(page.contains(".SS \"" + name), name + " missing from the man page");
            }
        }
        for (String line : page.lines().toList()) {
            assertTrue(!line.startsWith(".") || line.matches("\\.(TH|SH|SS|PP|TP|B|I|RS|RE|nf|fi)( .*)?"),
                    "not a man(7) macro: " + line);
        }
        assertTrue(page.contains("\\fB\\-\\-via\\fR \\fIchain|direct\\fR"), "options are escaped");
        assertTrue(page.contains(".SH EXIT STATUS") && page.contains("PEERKEY_HOME"), page);
    }

    private static List<CommandLine> all(CommandLine root) {
        List<CommandLine> commands = new ArrayList<>();
        commands.add(root);
        for (CommandLine sub : new LinkedHashSet<>(root.getSubcommands().values())) {
            commands.addAll(all(sub));
        }
        return commands;
    }

    /** Splits a shell line on spaces, keeping single-quoted words whole. */
    private static String[] words(String line) {
        List<String> words = new ArrayList<>();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
        while (matcher.find()) {
            words.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        return words.toArray(String[]::new);
    }
}
