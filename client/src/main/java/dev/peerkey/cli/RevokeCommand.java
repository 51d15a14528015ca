package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import java.io.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey revoke`: end an identity for good. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Revoke an identity for good (e.g. after a key compromise). This cannot be undone.",
            "Asks for the display name as confirmation unless --yes is given."})
final class RevokeCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Which identity (default: the profile's default).")
    String identity;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            PeerId id = ctx.profile().identity(identity);
            confirm(id, yes);
            IdentityKey current = ctx.actingKey(id);
            ctx.fundIfDevChain(current.address());
            TxResult tx = ctx.registry().revoke(id, current);
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("revoked", true);
            fields.put("txHash", tx.txHash());
            fields.put("gasUsed", tx.gasUsed());
            ctx.out.result(fields);
        }
    }

    /** Asks for the display name on a terminal, unless {@code yes}; revoking cannot be undone. */
    static void confirm(PeerId id, boolean yes) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (console == null) {
            throw new PeerkeyException("revoking cannot be undone: pass --yes to confirm");
        }
        String typed = console.readLine("Revoking %s cannot be undone. Type its display name to confirm: ",
                id.displayName().value());
        if (typed == null || !typed.trim().equalsIgnoreCase(id.displayName().value())) {
            throw new PeerkeyException("not confirmed; nothing was revoked");
        }
    }
}
