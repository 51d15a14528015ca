package dev.peerkey.registry;

import dev.peerkey.identity.PublicKey;
import java.time.Instant;

/**
 * One key in an identity's history.
 *
 * @param index its number, 0 for the first
 * @param publicKey the key
 * @param registeredAt when it was stored (block time)
 * @param validUntil its owner-chosen validity end
 * @param retiredAt when it was replaced or revoked, or null while current
 */
public record KeyRecord(int index, PublicKey publicKey, Instant registeredAt, Instant validUntil, Instant retiredAt) { }
