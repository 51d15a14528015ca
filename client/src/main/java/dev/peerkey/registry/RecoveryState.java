package dev.peerkey.registry;

import java.time.Instant;
import java.util.Optional;
import org.web3j.utils.Numeric;

/**
 * An identity's recovery key and pending recovery, as {@link Registry#recovery} verified them.
 *
 * @param recoveryAddress the recovery key's address; present only when the identity's first
 *     key signed it (checked from the {@code RecoveryKeySet} log)
 * @param pendingKeyHash keccak256 of the key a pending recovery moves the identity to
 * @param readyAt when the pending recovery can complete
 */
public record RecoveryState(Optional<String> recoveryAddress, Optional<byte[]> pendingKeyHash,
                            Optional<Instant> readyAt) {
    public RecoveryState {
        pendingKeyHash = pendingKeyHash.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> pendingKeyHash() {
        return pendingKeyHash.map(byte[]::clone);
    }

    /** The pending key hash as 0x-prefixed lower-case hex. */
    public Optional<String> pendingKeyHashHex() {
        return pendingKeyHash.map(Numeric::toHexString);
    }

    public boolean hasRecoveryKey() {
        return recoveryAddress.isPresent();
    }

    /** Whether a recovery is in progress (started, neither completed nor cancelled). */
    public boolean pending() {
        return readyAt.isPresent();
    }
}
