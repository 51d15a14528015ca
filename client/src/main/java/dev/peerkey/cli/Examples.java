package dev.peerkey.cli;

import java.util.Map;
import picocli.CommandLine;

/** One example per command, shown at the end of its help; kept together so none is missing. */
final class Examples {
    private static final Map<String, String> BY_COMMAND = Map.ofEntries(
            Map.entry("peerkey", "peerkey chain start && peerkey deploy && peerkey id new"),
            Map.entry("peerkey chain", "peerkey chain start --node anvil"),
            Map.entry("peerkey chain start", "peerkey chain start --node anvil"),
            Map.entry("peerkey chain stop", "peerkey chain stop"),
            Map.entry("peerkey chain status", "peerkey chain status --json"),
            Map.entry("peerkey deploy", "peerkey deploy --recovery-delay 7d"),
            Map.entry("peerkey id", "peerkey id new"),
            Map.entry("peerkey id new", "peerkey id new --recovery-file ~/peerkey-recovery.txt"),
            Map.entry("peerkey id show", "peerkey id show --json"),
            Map.entry("peerkey id list", "peerkey id list"),
            Map.entry("peerkey id use", "peerkey id use 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey id export", "peerkey id export --out alice-key.json"),
            Map.entry("peerkey id import", "peerkey id import wallet-key.json --reencrypt"),
            Map.entry("peerkey id passwd", "peerkey id passwd --new-password-file new-password.txt"),
            Map.entry("peerkey register", "peerkey register --valid-for 365d"),
            Map.entry("peerkey lookup", "peerkey lookup bob --history"),
            Map.entry("peerkey contact", "peerkey contact add bob 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey contact add", "peerkey contact add bob 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey contact list", "peerkey contact list --json"),
            Map.entry("peerkey contact rm", "peerkey contact rm bob"),
            Map.entry("peerkey verify", "peerkey verify bob --mark"),
            Map.entry("peerkey rotate", "peerkey rotate --valid-for 365d"),
            Map.entry("peerkey revoke", "peerkey revoke --yes"),
            Map.entry("peerkey recover", "peerkey recover status"),
            Map.entry("peerkey recover revoke", "peerkey recover revoke --recovery-file ~/peerkey-recovery.txt"),
            Map.entry("peerkey recover rotate", "peerkey recover rotate --recovery-words-stdin --wait"),
            Map.entry("peerkey recover cancel", "peerkey recover cancel --recovery-file ~/peerkey-recovery.txt"),
            Map.entry("peerkey recover status", "peerkey recover status --json"),
            Map.entry("peerkey auth", "peerkey auth bob --timeout 2m"),
            Map.entry("peerkey send", "peerkey send bob 'see you at noon'"),
            Map.entry("peerkey inbox", "peerkey inbox --from bob --since 2h --limit 20"),
            Map.entry("peerkey listen", "peerkey listen --port 7777 --advertise 203.0.113.7:7777"),
            Map.entry("peerkey chat", "peerkey chat bob"),
            Map.entry("peerkey sessions", "peerkey sessions --json"),
            Map.entry("peerkey outbox", "peerkey outbox"),
            Map.entry("peerkey cancel", "peerkey cancel 9b1f4c2e7a8d0356b1e2c4f6a8d0b3e5"),
            Map.entry("peerkey requests", "peerkey requests"),
            Map.entry("peerkey accept", "peerkey accept 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey decline", "peerkey decline 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey block", "peerkey block 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey unblock", "peerkey unblock 4kq3x7m2p5r6t8vz"),
            Map.entry("peerkey mailbox-account", "peerkey mailbox-account --json"),
            Map.entry("peerkey unlock", "peerkey unlock --for 2h"),
            Map.entry("peerkey lock", "peerkey lock"),
            Map.entry("peerkey bench startup", "peerkey bench startup --runs 20"),
            Map.entry("peerkey demo", "peerkey demo --node ganache"),
            Map.entry("peerkey bench", "peerkey bench gas --runs 20"),
            Map.entry("peerkey bench gas", "peerkey bench gas --runs 20"),
            Map.entry("peerkey bench chat", "peerkey bench chat --node anvil --block-time 2s"),
            Map.entry("peerkey bench acks", "peerkey bench acks --sessions 1,20,100"),
            Map.entry("peerkey bench lookup", "peerkey bench lookup --sizes 100,1000"),
            Map.entry("peerkey help", "peerkey help chain start"),
            Map.entry("peerkey completion", "source <(peerkey completion)"),
            Map.entry("peerkey manpage", "peerkey manpage --out ~/.local/share/man/man1"));

    private Examples() {}

    /** Adds the example to every command whose help has none of its own. */
    static void addTo(CommandLine command) {
        CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
        String example = BY_COMMAND.get(command.getCommandSpec().qualifiedName());
        if (example != null && !String.join("\n", usage.footer()).contains("Example")) {
            usage.footer(appended(usage.footer(), "%nExample:%n  " + example.replace("%", "%%")));
        }
        command.getSubcommands().values().forEach(Examples::addTo);
    }

    private static String[] appended(String[] lines, String line) {
        String[] all = java.util.Arrays.copyOf(lines, lines.length + 1);
        all[lines.length] = line;
        return all;
    }
}
