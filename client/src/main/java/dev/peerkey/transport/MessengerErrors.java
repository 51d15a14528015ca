package dev.peerkey.transport;

import dev.peerkey.chain.AbiErrors;
import dev.peerkey.chain.RevertDecoder;
import dev.peerkey.chain.RevertException;
import dev.peerkey.handshake.AuthRequest;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the Messenger's custom errors, and the registry's that it reuses, from the ABI that
 * ships in the jar, and words each as one sentence naming what was refused.
 */
final class MessengerErrors implements RevertDecoder {
    private static final AbiErrors ERRORS = AbiErrors.fromArtifact(MessengerErrors.class, "Messenger.json");

    private final String action;

    /** @param action what is being sent, for the sentence: "the messenger refused {action}: …" */
    MessengerErrors(String action) {
        this.action = action;
    }

    @Override
    public RevertException decode(String revertData) {
        String refused = "the messenger refused " + action;
        if (revertData == null || revertData.length() < 10) {
            return new RevertException("revert", refused + " without a reason (is the address a peerkey messenger?)");
        }
        Optional<AbiErrors.Decoded> error = ERRORS.decode(revertData);
        if (error.isEmpty()) {
            return new RevertException("revert", refused + " with unknown error data " + revertData.substring(0, 10)
                    + " (is the address a peerkey messenger?)");
        }
        String name = error.get().name();
        return new RevertException(name, refused + ": " + describe(name, error.get().args()));
    }

    private static String describe(String name, List<Object> a) {
        return switch (name) {
            case "SelfAuthentication" -> "identity " + a.get(0) + " cannot authenticate with itself";
            case "ZeroEphemeralKey" -> "the ephemeral key is all zeros";
            case "SealedPayloadTooLarge" -> "the sealed payload has " + a.get(0) + " bytes, more than the "
                    + AuthRequest.MAX_SEALED_PAYLOAD_LENGTH + " it accepts";
            case "RequestReplayed" -> "request " + a.get(0) + " was already submitted";
            case "UnknownRequest" -> "there is no request " + a.get(0) + " on this messenger";
            case "AlreadyAccepted" -> "request " + a.get(0) + " has already been accepted";
            case "RequestExpired" -> "request " + a.get(0) + " was signed at " + AbiErrors.time(a.get(1))
                    + ", more than an hour ago, and can no longer be answered; the initiator must start a new"
                    + " handshake";
            case "RequestSuperseded" -> "request " + a.get(0) + " was made with a key the initiator has since"
                    + " replaced, so it can no longer be answered; the initiator must start a new handshake with"
                    + " its current key";
            case "EmptyEnvelope" -> "the envelope is empty";
            case "EnvelopeTooLarge" -> "the envelope has " + a.get(0) + " bytes, more than the "
                    + MessengerContract.MAX_ENVELOPE_LENGTH + " it accepts";
            case "UnknownIdentity" -> "identity " + a.get(0) + " is not registered";
            case "IdentityRevoked" -> "identity " + a.get(0) + " is revoked";
            case "IdentityExpired" -> "identity " + a.get(0) + " expired at " + AbiErrors.time(a.get(1));
            case "InvalidSignature" -> "the signature is not by the current key of identity " + a.get(0)
                    + " for this chain and messenger";
            case "StaleTimestamp" -> "the signed timestamp " + AbiErrors.time(a.get(0)) + " is too old for chain time "
                    + AbiErrors.time(a.get(1)) + AbiErrors.clockHint(a.get(0), a.get(1));
            case "FutureTimestamp" -> "the signed timestamp " + AbiErrors.time(a.get(0))
                    + " is ahead of chain time " + AbiErrors.time(a.get(1)) + AbiErrors.clockHint(a.get(0), a.get(1));
            default -> name + a;
        };
    }
}
