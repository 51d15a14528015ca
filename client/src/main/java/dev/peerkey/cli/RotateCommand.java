package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
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

    @Mixin
    KeyOptions keyOptions;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            Profile profile = ctx.profile();
            PeerId id = profile.identity(keyOptions.identity);
            char[] password = ctx.password(false);
            IdentityKey current = profile.currentKey(id, password);
            IdentityKey next = IdentityKey.generate();
            profile.storeKey(next, password);
            ctx.fundIfDevChain(current.address());
            TxResult tx = ctx.registry().rotate(id, current, next, keyOptions.validUntil());
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
