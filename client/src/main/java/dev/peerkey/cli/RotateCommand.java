package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey rotate`: replace an identity's key, keeping its ID. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Replace an identity's key with a new one; the ID stays the same.",
            "The new key is stored in the keystore (same password) before the transaction is sent. If"
                    + " someone submits a copy of the signed rotation first, so that this transaction reverts,"
                    + " the rotation has still happened and the command succeeds."})
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
            KeySync sync = ctx.keySync();
            sync.reconcile(id);
            char[] password = ctx.password(false);
            IdentityKey current = profile.currentKey(id, password);
            IdentityKey next = IdentityKey.generate();
            profile.storeKey(next, password);
            ctx.fundIfDevChain(current.address());
            Optional<TxResult> tx = sync.expectKey(id, next.publicKey(),
                    () -> ctx.registry().rotate(id, current, next, keyOptions.validUntil()));
            profile.switchKey(id, next.publicKey());
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("publicKey", next.publicKey().hex());
            fields.put("alreadyDone", tx.isEmpty());
            fields.put("txHash", tx.map(TxResult::txHash).orElse(null));
            fields.put("gasUsed", tx.map(TxResult::gasUsed).orElse(null));
            KeyFunds.follow(ctx, current.credentials(), next.address(), fields);
            ctx.out.result(fields);
        }
    }
}
