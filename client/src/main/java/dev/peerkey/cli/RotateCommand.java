package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey rotate`: replace an identity's key, keeping its ID. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Replace an identity's key with a new one; the ID stays the same.",
            "The new key is stored in the keystore (same password) before the transaction is sent."})
final class RotateCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Which identity (default: the profile's default).")
    String identity;

    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = "365d",
            converter = DurationConverter.class,
            description = "How long the new key stays valid (default: ${DEFAULT-VALUE}).")
    Duration validFor;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            Profile profile = ctx.profile();
            PeerId id = profile.identity(identity);
            char[] password = ctx.password(false);
            IdentityKey current = profile.currentKey(id, password);
            IdentityKey next = IdentityKey.generate();
            profile.storeKey(next, password);
            ctx.fundIfDevChain(current.address());
            TxResult tx = ctx.registry().rotate(id, current, next, Instant.now().plus(validFor));
            profile.switchKey(id, next.publicKey());
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("publicKey", next.publicKey().hex());
            fields.put("txHash", tx.txHash());
            fields.put("gasUsed", tx.gasUsed());
            ctx.out.result(fields);
        }
    }
}
