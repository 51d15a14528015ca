// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Errors of the peerkey identity registry that cannot be declared in {IIdentityRegistry}
/// @notice Solidity gives errors and events one namespace per scope, and the error
/// `IdentityRevoked(bytes32)` shares its name with the event `IIdentityRegistry.IdentityRevoked`.
/// Revert with `IIdentityRegistryErrors.IdentityRevoked(id)`; the selector is the same as if it
/// were declared in the interface, and it appears in the implementing contract's ABI.
interface IIdentityRegistryErrors {
    /// @notice The identity was revoked; nothing can change it any more.
    error IdentityRevoked(bytes32 id);
}

/// @title peerkey identity registry interface (version 2)
/// @notice An identity is the keccak256 hash of a 64-byte uncompressed secp256k1
/// public key (x || y); its Ethereum address is the last 20 bytes of that hash.
/// The identity keeps its ID across key rotations; every key keeps its own
/// timestamps. Signed actions use EIP-712 (domain "peerkey IdentityRegistry", version "2").
///
/// Every change emits an event that carries the signatures that authorised it, so a client
/// can check the whole key history from the logs alone, whoever submitted each transaction
/// and however (directly, through a relay contract, a multicall or a bundler).
///
/// An identity may commit to a recovery key at registration. With it, its holder can revoke
/// the identity at once, or move it to a fresh key after {recoveryDelay}, whatever the
/// current key (or a thief holding it) does meanwhile; only the recovery key can cancel.
interface IIdentityRegistry {
    /// @notice Lifecycle state reported by {lookup}.
    enum Status {
        Unknown,
        Active,
        Expired,
        Revoked
    }

    /// @notice A public key has to be exactly 64 bytes (x || y, no 0x04 prefix).
    error InvalidPublicKeyLength(uint256 length);
    /// @notice A 64-byte public key is not a point on secp256k1 (x or y >= p, or off the curve).
    error InvalidPublicKey();
    /// @notice keccak256(publicKey) is not the identity it is registered under.
    error PublicKeyMismatch(bytes32 id, bytes32 keyHash);
    /// @notice The identity already exists (registered, possibly revoked).
    error AlreadyRegistered(bytes32 id);
    /// @notice No identity with this ID was ever registered.
    error UnknownIdentity(bytes32 id);
    /// @notice The current key's validity end has passed.
    error IdentityExpired(bytes32 id, uint40 validUntil);
    /// @notice A self-sent action came from an account that is not the key's.
    error NotKeyOwner(bytes32 id, address sender);
    /// @notice A self-sent action was not sent directly by the transaction's signer: the key's
    /// account ran code (an EIP-7702 delegation) on behalf of someone else.
    error NotDirectCall(address sender);
    /// @notice A signature is malformed or recovers to the wrong account.
    error InvalidSignature(bytes32 id);
    /// @notice The signed timestamp is older than the freshness window allows.
    error StaleTimestamp(uint40 signedAt, uint40 blockTime);
    /// @notice The signed timestamp is further in the future than the allowed clock skew.
    error FutureTimestamp(uint40 signedAt, uint40 blockTime);
    /// @notice The chosen validity end is not after the current block time.
    error ValidityEndInPast(uint40 validUntil, uint40 blockTime);
    /// @notice The chosen validity end lies more than {MAX_VALIDITY} after the block time.
    error ValidityEndTooFar(uint40 validUntil, uint40 maxValidUntil);
    /// @notice No key of the identity was valid at the requested time.
    error NoKeyAt(bytes32 id, uint40 time);
    /// @notice The key index is out of range.
    error KeyIndexOutOfRange(bytes32 id, uint32 index);
    /// @notice The recovery delay given to the constructor is zero.
    error InvalidRecoveryDelay();
    /// @notice The identity was registered without a recovery key.
    error NoRecoveryKey(bytes32 id);
    /// @notice No recovery is pending for the identity.
    error NoPendingRecovery(bytes32 id);
    /// @notice The pending recovery cannot complete before `readyAt`.
    error RecoveryNotReady(bytes32 id, uint40 readyAt);
    /// @notice A recovery to the same key is already pending; it completes at `readyAt`.
    error RecoveryPending(bytes32 id, uint40 readyAt);
    /// @notice The recovery signature is not later than the last recovery action's.
    error StaleRecovery(bytes32 id);
    /// @notice The key given to complete a recovery is not the one the recovery key named.
    error RecoveryKeyMismatch(bytes32 id, bytes32 keyHash);

    /// @notice Emitted when an identity is registered with its first key (index 0). `name` (the
    /// first 10 bytes of `id`, which its 16-character display name encodes) and `key` (the last 20
    /// bytes of `id`: the first key's address) are topics too, so a client finds an identity by
    /// display name or by address with one indexed log query instead of reading every registration.
    /// `submitter` is whoever sent the registration (the key's own account, or a relayer).
    event IdentityRegistered(
        bytes32 indexed id, bytes10 indexed name, address indexed key, address submitter, uint40 validUntil
    );
    /// @notice Emitted when an identity is registered with a recovery key. `r` and `vs` are key 0's
    /// EIP-712 signature over Register(id, recovery, validUntil, signedAt, 0) in the compact form
    /// of EIP-2098 (vs = s with the top bit set when v = 28), with validUntil from
    /// {IdentityRegistered}, so the commitment can be checked from the logs alone. (Two words
    /// instead of a 65-byte `bytes` keep a recovery key within 25,000 gas of registering without.)
    event RecoveryKeySet(bytes32 indexed id, address recovery, uint40 signedAt, bytes32 r, bytes32 vs);
    /// @notice Emitted when key `keyIndex - 1` is replaced by `newPublicKey` through {rotateKey}.
    /// Both signatures are over RotateKey(id, keccak256(newPublicKey), validUntil, signedAt, nonce),
    /// so the rotation can be checked from the log alone.
    event KeyRotated(
        bytes32 indexed id,
        uint32 keyIndex,
        bytes newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        uint32 nonce,
        bytes currentKeySignature,
        bytes newKeySignature
    );
    /// @notice Emitted when the identity is revoked for good.
    event IdentityRevoked(bytes32 indexed id, uint32 keyIndex);
    /// @notice Emitted when the recovery key starts moving the identity to the key hashing to
    /// `newKeyHash`; {completeRecovery} may finish it from `readyAt` on.
    event RecoveryStarted(
        bytes32 indexed id, bytes32 newKeyHash, uint40 readyAt, uint40 signedAt, bytes recoverySignature
    );
    /// @notice Emitted when the recovery key cancels a pending recovery.
    event RecoveryCancelled(bytes32 indexed id);
    /// @notice Emitted when a recovery replaces key `keyIndex - 1` by `newPublicKey`.
    /// `recoverySignature` is the recovery key's signature over
    /// StartRecovery(id, keccak256(newPublicKey), recoverySignedAt) and `newKeySignature` the new
    /// key's over CompleteRecovery(id, keccak256(newPublicKey), validUntil, signedAt), so the
    /// recovery can be checked from this log and {RecoveryKeySet}.
    event KeyRecovered(
        bytes32 indexed id,
        uint32 keyIndex,
        bytes newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        uint40 recoverySignedAt,
        bytes recoverySignature,
        bytes newKeySignature
    );

    /// @notice Registers `id` with `publicKey`, sent by the key's own account, without a
    /// recovery key. The sender must also be the transaction's signer (`tx.origin`), so an
    /// account that delegates its code (EIP-7702) cannot be made to register by a caller.
    /// @param id keccak256(publicKey); its last 20 bytes must be `msg.sender`.
    /// @param publicKey The 64-byte uncompressed key (x || y), a point on secp256k1.
    /// @param validUntil When the key stops being valid: after block time, at most
    /// {MAX_VALIDITY} after it.
    /// @param signedAt The owner's timestamp, within the freshness window of block time.
    function register(bytes32 id, bytes calldata publicKey, uint40 validUntil, uint40 signedAt) external;

    /// @notice Registers `id` with the owner's signature; anyone may submit and pay gas.
    /// @param recovery The recovery key's address, or address(0) for none. When set, it is
    /// stored and {RecoveryKeySet} is emitted.
    /// @param signature 65-byte (r || s || v) EIP-712 signature by the key over
    /// Register(bytes32 id,address recovery,uint40 validUntil,uint40 signedAt,uint32 nonce)
    /// with nonce 0.
    function registerFor(
        bytes32 id,
        bytes calldata publicKey,
        uint40 validUntil,
        uint40 signedAt,
        address recovery,
        bytes calldata signature
    ) external;

    /// @notice Replaces the identity's current key. Anyone may submit; the identity must
    /// exist, be neither revoked nor expired.
    /// @param newPublicKey The new 64-byte key, a point on secp256k1.
    /// @param validUntil Validity end of the new key (bounded like {register}'s).
    /// @param signedAt Timestamp both keys signed.
    /// @param currentKeySignature EIP-712 signature by the current key over
    /// RotateKey(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt,uint32 nonce).
    /// @param newKeySignature The same digest signed by the new key (proof of possession).
    function rotateKey(
        bytes32 id,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        bytes calldata currentKeySignature,
        bytes calldata newKeySignature
    ) external;

    /// @notice Revokes `id` for good, sent directly (`msg.sender == tx.origin`) by the current
    /// key's account. Consumes no nonce (nothing is signed). An expired identity can be revoked.
    function revoke(bytes32 id) external;

    /// @notice Revokes `id` on the owner's behalf; anyone may submit.
    /// @param signature EIP-712 signature by the current key over
    /// Revoke(bytes32 id,uint40 signedAt,uint32 nonce).
    function revokeFor(bytes32 id, uint40 signedAt, bytes calldata signature) external;

    /// @notice Revokes `id` at once with its recovery key, whoever holds the current key and
    /// whatever rotations happened. Anyone may submit. Replaying it is harmless (the identity
    /// is already revoked).
    /// @param recoverySignature EIP-712 signature by the recovery key over RecoveryRevoke(bytes32 id).
    function recoveryRevoke(bytes32 id, bytes calldata recoverySignature) external;

    /// @notice Starts moving `id` to the key hashing to `newKeyHash`; {completeRecovery} can
    /// finish it {recoveryDelay} seconds later. Anyone may submit. A pending recovery to another
    /// key is replaced when this one was signed later; one to the same key is left as it is.
    /// @param signedAt The recovery key's timestamp: fresh, and later than that of the last
    /// recovery started or cancelled for `id`.
    /// @param recoverySignature EIP-712 signature by the recovery key over
    /// StartRecovery(bytes32 id,bytes32 newKeyHash,uint40 signedAt).
    function startRecovery(bytes32 id, bytes32 newKeyHash, uint40 signedAt, bytes calldata recoverySignature)
        external;

    /// @notice Cancels the pending recovery of `id`. Only the recovery key can: the current key
    /// can neither cancel nor shorten a recovery.
    /// @param signedAt The recovery key's timestamp: fresh, and not before the pending
    /// recovery's (a cancellation cannot be replayed on a later recovery).
    /// @param recoverySignature EIP-712 signature by the recovery key over
    /// CancelRecovery(bytes32 id,uint40 signedAt).
    function cancelRecovery(bytes32 id, uint40 signedAt, bytes calldata recoverySignature) external;

    /// @notice Completes the pending recovery of `id` once its delay has passed: the new key
    /// replaces the current one (whatever it is) like a rotation, and one nonce is consumed.
    /// Anyone may submit. Works on expired identities, not on revoked ones.
    /// @param newPublicKey The 64-byte key whose hash the recovery named.
    /// @param validUntil Validity end of the new key (bounded like {register}'s).
    /// @param signedAt The new key's fresh timestamp.
    /// @param newKeySignature EIP-712 signature by the new key over
    /// CompleteRecovery(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt).
    function completeRecovery(
        bytes32 id,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        bytes calldata newKeySignature
    ) external;

    /// @notice The identity's current key and status in one call. Never reverts:
    /// an unknown ID has status Unknown and an empty key.
    /// @return status Unknown, Active, Expired or Revoked.
    /// @return publicKey The current 64-byte key (empty when unknown).
    /// @return keyIndex Index of the current key (0 = the registered one).
    /// @return registeredAt Block time the current key was stored.
    /// @return validUntil Validity end of the current key.
    /// @return signedAt The owner's signed timestamp for the current key.
    /// @return revokedAt Block time of revocation, 0 if not revoked.
    /// @return nonce The next nonce for signed actions.
    function lookup(bytes32 id)
        external
        view
        returns (
            Status status,
            bytes memory publicKey,
            uint32 keyIndex,
            uint40 registeredAt,
            uint40 validUntil,
            uint40 signedAt,
            uint40 revokedAt,
            uint32 nonce
        );

    /// @notice The identity's recovery key and pending recovery.
    /// @return recovery The recovery key's address (0 when the identity has none).
    /// @return pendingKeyHash keccak256 of the key a pending recovery moves to (0 when none).
    /// @return readyAt When the pending recovery can complete (0 when none).
    function recoveryOf(bytes32 id) external view returns (address recovery, bytes32 pendingKeyHash, uint40 readyAt);

    /// @notice Seconds a recovery waits between {startRecovery} and {completeRecovery}.
    function recoveryDelay() external view returns (uint32);

    /// @notice The number of the block this registry was deployed in: where a client starts reading
    /// its logs, so that a client that did not deploy it never scans from block 0. (On chains whose
    /// `block.number` is not their own block number, such as Arbitrum, an earlier block: still a
    /// correct place to start.)
    function deployedAt() external view returns (uint256);

    /// @notice Number of keys the identity has had (0 when unknown).
    function keyCount(bytes32 id) external view returns (uint32);

    /// @notice Key number `index` of the identity with its timestamps.
    /// Reverts with {UnknownIdentity} or {KeyIndexOutOfRange}.
    /// @return publicKey The 64-byte key.
    /// @return registeredAt When it was stored.
    /// @return validUntil Its owner-chosen validity end.
    /// @return retiredAt When it was replaced or revoked (0 while current and not revoked).
    function keyByIndex(bytes32 id, uint32 index)
        external
        view
        returns (bytes memory publicKey, uint40 registeredAt, uint40 validUntil, uint40 retiredAt);

    /// @notice Which key was valid for `id` at time `time`: registered at or before it,
    /// not yet retired (replaced or revoked) and not yet past its validity end.
    /// Reverts with {UnknownIdentity} or {NoKeyAt}.
    function keyAt(bytes32 id, uint40 time) external view returns (uint32 index, bytes memory publicKey);
}
