package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.RecoveryState;
import org.web3j.crypto.Credentials;

/**
 * An identity a recovery command acts on, checked before any transaction: registered, not
 * revoked, committed to a recovery key, and that key is the one given.
 */
final class RecoveryTarget {
    final Context ctx;
    final PeerId id;
    final RecoveryKey key;
    final IdentityRecord record;
    final RecoveryState state;

    private RecoveryTarget(Context ctx, PeerId id, RecoveryKey key, IdentityRecord record, RecoveryState state) {
        this.ctx = ctx;
        this.id = id;
        this.key = key;
        this.record = record;
        this.state = state;
    }

    static RecoveryTarget check(Context ctx, PeerId id, RecoveryKey key) {
        IdentityRecord record = current(ctx, id);
        String name = id.displayName().value();
        if (record.revoked()) {
            throw new PeerkeyException("identity " + name + " has been revoked (at " + record.revokedAt()
                    + "): nothing is left to recover");
        }
        RecoveryState state = ctx.registry().recovery(id);
        if (state.recoveryAddress().isEmpty()) {
            throw new PeerkeyException("identity " + name + " has no recovery key: it was registered without one,"
                    + " so only its current key can revoke it (`peerkey revoke`)");
        }
        if (!state.recoveryAddress().get().equalsIgnoreCase(key.address())) {
            throw new PeerkeyException("this is not identity " + name + "'s recovery key: it is the key of "
                    + key.address() + ", and the identity's recovery key is " + state.recoveryAddress().get()
                    + " (wrong words or wrong file?)");
        }
        return new RecoveryTarget(ctx, id, key, record, state);
    }

    /**
     * The identity's verified record, after adopting a key of ours the profile missed. A key on
     * chain that is not ours is what recovery is for, so here it is no error.
     */
    static IdentityRecord current(Context ctx, PeerId id) {
        boolean foreign = false;
        try {
            ctx.keySync().reconcile(id);
        } catch (KeySync.ForeignKeyException thief) {
            foreign = true;
        }
        IdentityRecord record = ctx.registry().lookup(id).orElseThrow(() -> new PeerkeyException("identity "
                + id.displayName().value() + " is not registered: there is nothing to recover"));
        if (foreign) {
            ctx.out.progress("note: identity " + id.displayName().value() + "'s key on chain (key #"
                    + record.keyIndex() + ") is not in this profile: someone else rotated it");
        }
        return record;
    }

    /**
     * The account that pays: the profile's own key for the identity. After a thief's rotation
     * it is an old key, whose account still holds its funds; on a local chain it is topped up.
     */
    Credentials payer(char[] password) {
        IdentityKey own = ctx.profile().currentKey(id, password);
        ctx.fundIfDevChain(own.address());
        return own.credentials();
    }
}
