package dev.peerkey.registry;

import dev.peerkey.chain.AbiErrors;
import dev.peerkey.chain.RevertDecoder;
import dev.peerkey.chain.RevertException;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the registry's custom errors from revert data, using the ABI that ships in
 * the jar, and words each as one sentence a user can act on.
 */
final class RegistryErrors implements RevertDecoder {
    static final RegistryErrors INSTANCE = new RegistryErrors();

    private final AbiErrors errors = AbiErrors.fromArtifact(RegistryErrors.class, "IdentityRegistry.json");

    private RegistryErrors() {
    }

    @Override
    public RevertException decode(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return new RevertException("revert", "the registry rejected the request without a reason"
                    + " (is the address a peerkey registry?)");
        }
        Optional<AbiErrors.Decoded> error = errors.decode(revertData);
        if (error.isEmpty()) {
            return new RevertException("revert", "the registry rejected the request with unknown error data "
                    + revertData.substring(0, 10) + " (is the address a peerkey registry?)");
        }
        return new RevertException(error.get().name(), describe(error.get().name(), error.get().args()));
    }

    private static String describe(String name, List<Object> a) {
        return switch (name) {
            case "InvalidPublicKeyLength" -> "a public key must be 64 bytes, not " + a.get(0);
            case "PublicKeyMismatch" -> "the public key hashes to " + a.get(1) + ", not to the identity " + a.get(0);
            case "AlreadyRegistered" -> "identity " + a.get(0) + " is already registered";
            case "UnknownIdentity" -> "identity " + a.get(0) + " is not registered";
            case "IdentityRevoked" -> "identity " + a.get(0) + " has been revoked";
            case "IdentityExpired" -> "identity " + a.get(0) + " expired at " + time(a.get(1));
            case "NotKeyOwner" -> "account " + a.get(1) + " does not hold the key of identity " + a.get(0);
            case "InvalidSignature" -> "the signature is not by the key (or recovery key) of identity " + a.get(0)
                    + " for this chain and registry, or it was already used";
            case "StaleTimestamp" -> "the signed timestamp " + time(a.get(0)) + " is too old for chain time "
                    + time(a.get(1)) + AbiErrors.clockHint(a.get(0), a.get(1));
            case "FutureTimestamp" -> "the signed timestamp " + time(a.get(0)) + " is ahead of chain time "
                    + time(a.get(1)) + AbiErrors.clockHint(a.get(0), a.get(1));
            case "ValidityEndInPast" -> "the validity end " + time(a.get(0)) + " is not after chain time "
                    + time(a.get(1));
            case "NoKeyAt" -> "identity " + a.get(0) + " had no valid key at " + time(a.get(1));
            case "KeyIndexOutOfRange" -> "identity " + a.get(0) + " has no key number " + a.get(1);
            case "InvalidPublicKey" -> "the public key is not a point on secp256k1";
            case "NotDirectCall" -> "account " + a.get(0) + " did not send this transaction itself (it ran as"
                    + " delegated code, EIP-7702); send it from the key's own account or use the signed, relayed form";
            case "ValidityEndTooFar" -> "the validity end " + time(a.get(0)) + " is more than "
                    + Registry.MAX_VALIDITY.toDays() + " days ahead: choose one at or before " + time(a.get(1));
            case "InvalidRecoveryDelay" -> "the recovery delay must be at least one second";
            case "NoRecoveryKey" -> "identity " + a.get(0) + " was registered without a recovery key";
            case "NoPendingRecovery" -> "identity " + a.get(0) + " has no recovery in progress";
            case "RecoveryNotReady" -> "the recovery delay has not passed: the rotation can complete at "
                    + time(a.get(1));
            case "RecoveryPending" -> "a recovery of identity " + a.get(0) + " to this key is already in progress;"
                    + " it can complete at " + time(a.get(1));
            case "StaleRecovery" -> "the recovery signature for identity " + a.get(0) + " is not later than the"
                    + " last recovery started or cancelled (a replay, or a clock behind): sign it again";
            case "RecoveryKeyMismatch" -> "the key hashing to " + a.get(1) + " is not the one the recovery of"
                    + " identity " + a.get(0) + " names";
            case "InvalidPoint" -> "the registry holds a key that is not a point on secp256k1";
            default -> "the registry rejected the request: " + name + a;
        };
    }

    private static String time(Object seconds) {
        return AbiErrors.time(seconds);
    }
}
