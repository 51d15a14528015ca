package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.RecoveryState;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey recover revoke|rotate|cancel|status`: what the recovery key can do. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Act with an identity's recovery key (made by `id new`): revoke the identity at once, or"
                + " move it to a new key after the registry's delay, even after a thief rotated its key.",
            "Only the recovery key can start, cancel or revoke by recovery; the current key can neither"
                    + " shorten nor cancel a recovery rotation. If you still hold the current key and see a"
                    + " recovery rotation you did not start, revoke with `peerkey revoke`."},
        subcommands = {RecoverCommand.Revoke.class, RecoverRotateCommand.class, RecoverCommand.Cancel.class,
            RecoverCommand.Status.class})
final class RecoverCommand {
    /** Which identity: the profile's default unless --id. */
    static final class Target {
        @Option(names = "--id", paramLabel = "ID", description = "Which identity (default: the profile's default).")
        String identity;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke the identity at once with its recovery key, whoever holds its current key."
                    + " This cannot be undone.", "Asks for the display name as confirmation unless --yes is given."})
    static final class Revoke implements Runnable {
        @Mixin
        GlobalOptions options;

        @Mixin
        Target target;

        @ArgGroup(exclusive = true, multiplicity = "1")
        RecoverySource source;

        @Option(names = "--yes", description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public void run() {
            try (Context ctx = new Context(options)) {
                PeerId id = ctx.profile().identity(target.identity);
                RecoveryKey key = source.load();
                RecoveryTarget checked = RecoveryTarget.check(ctx, id, key);
                RevokeCommand.confirm(id, yes);
                var payer = checked.payer(ctx.password(false));
                Optional<TxResult> tx = KeySync.orAlreadyDone(() -> ctx.registry().recoveryRevoke(id, key, payer),
                        () -> ctx.registry().lookup(id).map(IdentityRecord::revoked).orElse(false));
                var fields = Output.fields();
                fields.put("id", id.hex());
                fields.put("revoked", true);
                fields.put("alreadyDone", tx.isEmpty());
                fields.put("txHash", tx.map(TxResult::txHash).orElse(null));
                fields.put("gasUsed", tx.map(TxResult::gasUsed).orElse(null));
                ctx.out.result(fields);
            }
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel the pending recovery rotation (only the recovery key can).")
    static final class Cancel implements Runnable {
        @Mixin
        GlobalOptions options;

        @Mixin
        Target target;

        @ArgGroup(exclusive = true, multiplicity = "1")
        RecoverySource source;

        @Override
        public void run() {
            try (Context ctx = new Context(options)) {
                PeerId id = ctx.profile().identity(target.identity);
                RecoveryKey key = source.load();
                RecoveryTarget checked = RecoveryTarget.check(ctx, id, key);
                if (!checked.state.pending()) {
                    throw new PeerkeyException("no recovery rotation of identity " + id.displayName().value()
                            + " is pending");
                }
                var payer = checked.payer(ctx.password(false));
                Registry registry = ctx.registry();
                Optional<TxResult> tx = KeySync.orAlreadyDone(() -> registry.cancelRecovery(id, key, payer),
                        () -> !registry.recovery(id).pending());
                var fields = Output.fields();
                fields.put("id", id.hex());
                fields.put("cancelled", checked.state.pendingKeyHashHex().orElse(null));
                fields.put("alreadyDone", tx.isEmpty());
                fields.put("txHash", tx.map(TxResult::txHash).orElse(null));
                fields.put("gasUsed", tx.map(TxResult::gasUsed).orElse(null));
                ctx.out.result(fields);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the identity's recovery key (its address) and any pending recovery rotation.")
    static final class Status implements Runnable {
        @Mixin
        GlobalOptions options;

        @Mixin
        Target target;

        @Override
        public void run() {
            try (Context ctx = new Context(options)) {
                Profile profile = ctx.profile();
                PeerId id = profile.identity(target.identity);
                IdentityRecord record = RecoveryTarget.current(ctx, id);
                Registry registry = ctx.registry();
                RecoveryState state = registry.recovery(id);
                ctx.out.result(describe(profile, id, record, state, registry));
            }
        }

        private static Map<String, Object> describe(Profile profile, PeerId id, IdentityRecord record,
                RecoveryState state, Registry registry) {
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("name", id.displayName().value());
            fields.put("status", record.status().label());
            fields.put("keyIndex", record.keyIndex());
            fields.put("currentKeyInProfile", profile.holdsKey(record.publicKey()));
            fields.put("recoveryAddress", state.recoveryAddress().orElse(null));
            fields.put("recoveryDelaySeconds", registry.recoveryDelay().toSeconds());
            fields.put("pending", state.pending());
            fields.put("pendingKeyHash", state.pendingKeyHashHex().orElse(null));
            fields.put("pendingKeyInProfile", state.pendingKeyHash().map(profile::holdsKey).orElse(null));
            fields.put("readyAt", state.readyAt().map(Object::toString).orElse(null));
            return fields;
        }
    }
}
