package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a profile's record of an identity's current key in step with the chain. Anyone may
 * submit an owner's signed call, so a rotation can land through someone else's transaction
 * while the owner's own reverts; and a rotation whose receipt arrived can be undone by a chain
 * reorganisation, leaving the chain on an older key of the profile. Either way the chain, not
 * the profile, says which key is current, and the profile adopts it if it holds it. Used at
 * the start of every command that acts with an identity's key and after every failed
 * transaction that should have changed it.
 */
final class KeySync {
    private final Profile profile;
    private final Registry registry;
    private final Consumer<String> progress;

    KeySync(Profile profile, Registry registry, Consumer<String> progress) {
        this.profile = profile;
        this.registry = registry;
        this.progress = progress;
    }

    /** The chain holds a key for an identity of this profile that the profile's keystore lacks. */
    static final class ForeignKeyException extends PeerkeyException {
        private static final long serialVersionUID = 1L;

        ForeignKeyException(PeerId id, int keyIndex) {
            super("identity " + id.displayName().value() + "'s key on chain (key #" + keyIndex + ") is not in this"
                    + " profile: someone else rotated it — if it was not you, run"
                    + " `peerkey recover revoke --recovery-file FILE`");
        }
    }

    /**
     * Compares the chain's verified current key of {@code id} with the profile's. If they differ
     * and the keystore holds the chain's key, the profile adopts it (one line on stderr).
     *
     * @return the chain's record, or empty if the identity is not registered
     * @throws ForeignKeyException if the chain's key of an identity that is not revoked is not in the keystore
     */
    Optional<IdentityRecord> reconcile(PeerId id) {
        Optional<IdentityRecord> found = registry.lookup(id);
        if (found.isEmpty() || adopt(id, found.get()) || found.get().revoked()) {
            return found; // a revoked identity's last key acts no more; the command itself says "revoked"
        }
        throw new ForeignKeyException(id, found.get().keyIndex());
    }

    /**
     * Runs a transaction that should leave {@code wanted} as the current key of {@code id}. If
     * it fails — reverted, refused by the node, or its answer lost — but the chain holds
     * {@code wanted} all the same (someone submitted a copy of our signed call first), that is
     * success: the key is adopted and the result is empty. Otherwise the transaction's error stands.
     */
    Optional<TxResult> expectKey(PeerId id, PublicKey wanted, Supplier<TxResult> transaction) {
        return orAlreadyDone(transaction, () -> registry.lookup(id)
                .filter(now -> now.publicKey().equals(wanted))
                .map(now -> adopt(id, now))
                .orElse(false));
    }

    /**
     * Runs a signed transaction; if it fails but {@code done} then finds on chain what it was
     * to achieve (a copy of the same signed call landed first), that is success and the result
     * is empty. Otherwise — or if the check itself fails — the transaction's error stands.
     */
    static Optional<TxResult> orAlreadyDone(Supplier<TxResult> transaction, BooleanSupplier done) {
        try {
            return Optional.of(transaction.get());
        } catch (PeerkeyException failed) {
            boolean achieved;
            try {
                achieved = done.getAsBoolean();
            } catch (PeerkeyException unknown) {
                throw failed;
            }
            if (achieved) {
                return Optional.empty();
            }
            throw failed;
        }
    }

    /** Makes the chain's current key the profile's if the keystore holds it; false if it does not. */
    private boolean adopt(PeerId id, IdentityRecord chain) {
        PublicKey chainKey = chain.publicKey();
        if (chainKey.equals(profile.currentPublicKey(id))) {
            return true;
        }
        if (!profile.holdsKey(chainKey)) {
            return false;
        }
        PublicKey ours = profile.currentPublicKey(id);
        boolean wentBack = registry.keyHistory(id).stream().noneMatch(k -> k.publicKey().equals(ours));
        profile.switchKey(id, chainKey); // every key file stays in the keystore, the newer one too
        progress.accept("adopted key #" + chain.keyIndex() + " of " + id.displayName().value() + (wentBack
                ? ", the key the chain holds: the rotation to this profile's newer key is no longer on chain (a chain"
                        + " reorganisation dropped it; the newer key stays in the keystore, unused — rotate again if"
                        + " you still want a new key)"
                : ": a rotation landed that this profile had not recorded"));
        return true;
    }
}
