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

/// @title peerkey identity registry interface
/// @notice An identity is the keccak256 hash of a 64-byte uncompressed secp256k1
/// public key (x || y); its Ethereum address is the last 20 bytes of that hash.
/// The identity keeps its ID across key rotations; every key keeps its own
/// timestamps. Signed actions use EIP-712 with a per-identity nonce.
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
    /// @notice A signature is malformed or recovers to the wrong account.
    error InvalidSignature(bytes32 id);
    /// @notice The signed timestamp is older than the freshness window allows.
    error StaleTimestamp(uint40 signedAt, uint40 blockTime);
    /// @notice The signed timestamp is further in the future than the allowed clock skew.
    error FutureTimestamp(uint40 signedAt, uint40 blockTime);
    /// @notice The chosen validity end is not after the current block time.
    error ValidityEndInPast(uint40 validUntil, uint40 blockTime);
    /// @notice No key of the identity was valid at the requested time.
    error NoKeyAt(bytes32 id, uint40 time);
    /// @notice The key index is out of range.
    error KeyIndexOutOfRange(bytes32 id, uint32 index);

    /// @notice Emitted when an identity is registered with its first key (index 0).
    event IdentityRegistered(bytes32 indexed id, address indexed submitter, uint40 validUntil);
    /// @notice Emitted when the identity's key is replaced; `keyHash` is keccak256 of the new key.
    event KeyRotated(bytes32 indexed id, uint32 keyIndex, bytes32 keyHash, uint40 validUntil);
    /// @notice Emitted when the identity is revoked for good.
    event IdentityRevoked(bytes32 indexed id, uint32 keyIndex);

    /// @notice Registers `id` with `publicKey`, sent by the key's own account.
    /// @param id keccak256(publicKey); its last 20 bytes must be `msg.sender`.
    /// @param publicKey The 64-byte uncompressed key (x || y).
    /// @param validUntil When the key stops being valid (must be after block time).
    /// @param signedAt The owner's timestamp, within the freshness window of block time.
    function register(bytes32 id, bytes calldata publicKey, uint40 validUntil, uint40 signedAt) external;

    /// @notice Registers `id` on the owner's behalf; anyone may submit and pay gas.
    /// @param signature 65-byte (r || s || v) EIP-712 signature by the key over
    /// Register(bytes32 id,uint40 validUntil,uint40 signedAt,uint32 nonce) with nonce 0.
    function registerFor(
        bytes32 id,
        bytes calldata publicKey,
        uint40 validUntil,
        uint40 signedAt,
        bytes calldata signature
    ) external;

    /// @notice Replaces the identity's current key. Anyone may submit.
    /// @param newPublicKey The new 64-byte key.
    /// @param validUntil Validity end of the new key.
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

    /// @notice Revokes `id` for good, sent by the current key's account. Consumes no nonce
    /// (nothing is signed). An expired identity can still be revoked.
    function revoke(bytes32 id) external;

    /// @notice Revokes `id` on the owner's behalf; anyone may submit.
    /// @param signature EIP-712 signature by the current key over
    /// Revoke(bytes32 id,uint40 signedAt,uint32 nonce).
    function revokeFor(bytes32 id, uint40 signedAt, bytes calldata signature) external;

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
