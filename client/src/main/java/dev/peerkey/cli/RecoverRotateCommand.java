package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey recover rotate`: move an identity to a new key with its recovery key. The first run
 * makes and stores the new key and starts the recovery; once the registry's delay has passed, a
 * second run (or this one, with --wait) completes it.
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Move the identity to a new key with its recovery key, whoever holds its current key.",
            "The first run makes a new key, stores it in the keystore (profile password) and starts the"
                    + " recovery, which the registry lets complete only after its delay (`recover status` shows"
                    + " it). Run it again once ready, or pass --wait, to complete it."})
final class RecoverRotateCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    KeyOptions keyOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    RecoverySource source;

    @Option(names = "--wait", description = "Wait for the delay to pass (with progress) and complete the recovery.")
    boolean await;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            Profile profile = ctx.profile();
            PeerId id = profile.identity(keyOptions.identity);
            RecoveryKey recoveryKey = source.load();
            RecoveryTarget target = RecoveryTarget.check(ctx, id, recoveryKey);
            Registry registry = ctx.registry();
            char[] password = ctx.password(false);
            Credentials payer = target.payer(password);

            Optional<IdentityKey> pendingOurs = target.state.pendingKeyHash()
                    .flatMap(hash -> profile.storedKey(hash, password));
            IdentityKey next;
            Instant readyAt;
            TxResult started = null;
            boolean startedNow = false;
            if (pendingOurs.isPresent()) {
                next = pendingOurs.get();
                readyAt = target.state.readyAt().orElseThrow();
            } else {
                if (target.state.pending()) {
                    ctx.out.progress("warning: a recovery rotation to a key that is not in this profile was pending"
                            + " (ready at " + target.state.readyAt().orElseThrow() + "); it is replaced by this one."
                            + " If you did not"
                            + " start it, someone else holds your recovery key: revoke the identity with"
                            + " `peerkey recover revoke` or `peerkey revoke`.");
                }
                next = IdentityKey.generate();
                profile.storeKey(next, password); // before the chain hears of it, so a crash loses nothing
                startedNow = true;
                started = KeySync.orAlreadyDone(() -> registry.startRecovery(id, recoveryKey, next.publicKey(), payer),
                        () -> pendingIs(registry, id, next)).orElse(null);
                readyAt = registry.recovery(id).readyAt().orElseThrow(() -> new PeerkeyException(
                        "the recovery of identity " + id.displayName().value() + " was started but is no longer"
                        + " pending: someone completed or cancelled it; see `peerkey recover status`"));
            }

            boolean ready = ChainTime.reached(ctx.chain(), readyAt);
            if (!ready && !await) {
                if (startedNow) {
                    reportStarted(ctx, id, next, readyAt, started);
                    return;
                }
                throw new PeerkeyException("the recovery rotation of identity " + id.displayName().value()
                        + " is not ready until " + readyAt + " (" + Durations.words(
                        Duration.between(Instant.now(), readyAt)) + " from now): run `peerkey recover rotate`"
                        + " again then, or with --wait");
            }
            if (startedNow) {
                ctx.out.progress("recovery started; it can complete at " + readyAt + ".");
            }
            if (!ready) {
                ChainTime.sleepUntil(readyAt, "the recovery delay", ctx.out::progress);
            }
            ChainTime.awaitBlockAt(ctx.chain(), readyAt, ctx.out::progress);
            Optional<TxResult> completed = ctx.keySync().expectKey(id, next.publicKey(),
                    () -> registry.completeRecovery(id, next, keyOptions.validUntil(), payer));
            profile.switchKey(id, next.publicKey());
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("status", "recovered");
            fields.put("publicKey", next.publicKey().hex());
            fields.put("keyIndex", registry.require(id).keyIndex());
            fields.put("alreadyDone", completed.isEmpty());
            fields.put("txHash", completed.map(TxResult::txHash).orElse(null));
            fields.put("gasUsed", completed.map(TxResult::gasUsed).orElse(null));
            KeyFunds.follow(ctx, payer, next.address(), fields);
            ctx.out.result(fields);
        }
    }

    /** Whether the pending recovery rotation of {@code id} is to {@code next}. */
    private static boolean pendingIs(Registry registry, PeerId id, IdentityKey next) {
        return registry.recovery(id).pendingKeyHash().map(hash -> Arrays.equals(hash, next.id().bytes()))
                .orElse(false);
    }

    /** A recovery just started and not yet ready: when it will be, and what to do then. */
    private static void reportStarted(Context ctx, PeerId id, IdentityKey next, Instant readyAt, TxResult tx) {
        ctx.out.progress("recovery started: it can complete at " + readyAt + " (in " + Durations.words(
                Duration.between(Instant.now(), readyAt)) + "); then run `peerkey recover rotate` again"
                + " (or use --wait). Until then the current key can neither cancel nor shorten it.");
        var fields = Output.fields();
        fields.put("id", id.hex());
        fields.put("status", "pending");
        fields.put("pendingPublicKey", next.publicKey().hex());
        fields.put("readyAt", readyAt.toString());
        fields.put("alreadyDone", tx == null);
        fields.put("txHash", tx == null ? null : tx.txHash());
        fields.put("gasUsed", tx == null ? null : tx.gasUsed());
        ctx.out.result(fields);
    }
}
