package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.RegistrationRequest;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey register`: publish an identity's key in the registry. */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Register an identity of this profile in the registry, with the commitment to its"
                + " recovery key if `id new` made one.",
            "By default the identity's own account sends and pays (on a local chain it is funded first);"
                    + " with --relayed the identity only signs and another account submits and pays. If a copy"
                    + " of the signed registration lands first, the command still succeeds."})
final class RegisterCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    KeyOptions keyOptions;

    @Option(names = "--relayed", description = "Sign only; a relayer account submits and pays"
            + " (on a local chain, a throwaway account the node funds).")
    boolean relayed;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            PeerId id = ctx.profile().identity(keyOptions.identity);
            IdentityKey key = ctx.actingKey(id);
            if (!key.id().equals(id)) {
                throw new PeerkeyException("identity " + id + " has rotated its key, so it is registered already");
            }
            Registry registry = ctx.registry();
            Instant validUntil = keyOptions.validUntil();
            String recovery = ctx.profile().recoveryAddress(id).orElse(null);
            Supplier<TxResult> send;
            if (relayed) {
                RegistrationRequest request = registry.signRegistration(key, validUntil, recovery);
                IdentityKey relayer = IdentityKey.generate();
                requireDevChain(ctx);
                ctx.fundIfDevChain(relayer.address());
                send = () -> registry.submit(request, relayer.credentials());
            } else if (recovery != null) {
                // A recovery key is committed to only in the signed form; here our own account submits it.
                RegistrationRequest request = registry.signRegistration(key, validUntil, recovery);
                ctx.fundIfDevChain(key.address());
                send = () -> registry.submit(request, key.credentials());
            } else {
                ctx.fundIfDevChain(key.address());
                send = () -> registry.register(key, validUntil);
            }
            // Already registered with this very key (a copy of our signed registration landed first): success.
            Optional<TxResult> tx = ctx.keySync().expectKey(id, key.publicKey(), send);
            Instant registeredUntil = tx.isPresent() ? Instant.ofEpochSecond(validUntil.getEpochSecond())
                    : registry.require(id).validUntil();
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("name", id.displayName().value());
            fields.put("validUntil", registeredUntil.toString());
            fields.put("relayed", relayed);
            fields.put("recoveryAddress", recovery);
            fields.put("alreadyDone", tx.isEmpty());
            fields.put("txHash", tx.map(TxResult::txHash).orElse(null));
            fields.put("gasUsed", tx.map(TxResult::gasUsed).orElse(null));
            ctx.out.result(fields);
        }
    }

    private static void requireDevChain(Context ctx) {
        if (!ctx.chain().isDevChain()) {
            throw new PeerkeyException("--relayed from the CLI needs a local development chain to fund the"
                    + " relayer; elsewhere submit the signed request with the library (Registry.submit)");
        }
    }
}
