// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {CalldataSignature} from "./CalldataSignature.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "./IIdentityRegistry.sol";
import {Secp256k1} from "./Secp256k1.sol";

/// @title peerkey identity registry, version 2
/// @notice Maps an identity (keccak256 of its first 64-byte secp256k1 public key) to its
/// current key and the history of its keys, with an optional recovery key. See
/// {IIdentityRegistry} for the rules.
/// @dev Keys are stored compressed (x and the parity of y), so a registration writes just two
/// storage slots (three with a recovery key); views and signature checks recompute y with
/// {Secp256k1}. Every change emits the signatures that authorised it.
contract IdentityRegistry is IIdentityRegistry, EIP712 {
    /// @notice EIP-712 type hash of a relayed registration, with or without a recovery key.
    bytes32 public constant REGISTER_TYPEHASH =
        keccak256("Register(bytes32 id,address recovery,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    /// @notice EIP-712 type hash of a key rotation, signed by both the current and the new key.
    bytes32 public constant ROTATE_KEY_TYPEHASH =
        keccak256("RotateKey(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    /// @notice EIP-712 type hash of a relayed revocation.
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 id,uint40 signedAt,uint32 nonce)");
    /// @notice EIP-712 type hash of a revocation by the recovery key.
    bytes32 public constant RECOVERY_REVOKE_TYPEHASH = keccak256("RecoveryRevoke(bytes32 id)");
    /// @notice EIP-712 type hash of the recovery key's order to move the identity to a new key.
    bytes32 public constant START_RECOVERY_TYPEHASH =
        keccak256("StartRecovery(bytes32 id,bytes32 newKeyHash,uint40 signedAt)");
    /// @notice EIP-712 type hash of the recovery key's cancellation of a pending recovery.
    bytes32 public constant CANCEL_RECOVERY_TYPEHASH = keccak256("CancelRecovery(bytes32 id,uint40 signedAt)");
    /// @notice EIP-712 type hash of the new key's acceptance that completes a recovery.
    bytes32 public constant COMPLETE_RECOVERY_TYPEHASH =
        keccak256("CompleteRecovery(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt)");

    /// @notice How far `signedAt` may lie before the block time.
    uint256 public constant MAX_SIGNATURE_AGE = 1 hours;
    /// @notice How far `signedAt` may lie after the block time.
    uint256 public constant MAX_CLOCK_SKEW = 5 minutes;
    /// @notice How far a key's validity end may lie after the block time it is stored at.
    uint256 public constant MAX_VALIDITY = 3650 days;

    /// @inheritdoc IIdentityRegistry
    uint32 public immutable recoveryDelay;

    uint256 private constant PUBLIC_KEY_LENGTH = 64;

    /// @dev An identity's current key and state, unpacked. It is stored as a {StoredIdentity}.
    struct Identity {
        bytes32 x;
        uint8 yParity;
        uint32 keyIndex;
        uint40 registeredAt;
        uint40 validUntil; // Never 0 once registered: it lies after a block time.
        uint40 signedAt;
        uint40 revokedAt;
        uint32 nonce;
    }

    /// @dev Two slots: x, and every other field of {Identity} packed by {_pack}. Packing by hand
    /// lets every write be one whole-slot store, which keeps registration cheap.
    struct StoredIdentity {
        bytes32 x;
        uint256 packed;
    }

    /// @dev A replaced key: two storage slots, written only on rotation.
    struct RetiredKey {
        bytes32 x;
        uint8 yParity;
        uint40 registeredAt;
        uint40 validUntil;
        uint40 retiredAt;
    }

    /// @dev An identity's recovery key and pending recovery. Registration writes the first slot
    /// only; a pending recovery fills the other three with the key hash and the recovery key's
    /// signature, which {completeRecovery} emits so the log alone proves the recovery.
    struct Recovery {
        address recovery;
        uint40 readyAt; // 0: no recovery pending.
        uint40 signedAt; // The last start's or cancellation's, so neither can be replayed.
        uint8 v;
        bytes32 pendingKeyHash;
        bytes32 r;
        bytes32 s;
    }

    mapping(bytes32 id => StoredIdentity) private _identities;
    mapping(bytes32 id => mapping(uint32 keyIndex => RetiredKey)) private _retiredKeys;
    mapping(bytes32 id => Recovery) private _recoveries;

    /// @param recoveryDelay_ Seconds between the start of a recovery and its earliest completion.
    constructor(uint32 recoveryDelay_) EIP712("peerkey IdentityRegistry", "2") {
        if (recoveryDelay_ == 0) revert InvalidRecoveryDelay();
        recoveryDelay = recoveryDelay_;
    }

    /// @inheritdoc IIdentityRegistry
    function register(bytes32 id, bytes calldata publicKey, uint40 validUntil, uint40 signedAt) external {
        _checkNewIdentity(id, publicKey, validUntil, signedAt);
        if (msg.sender != _keyAddress(id)) revert NotKeyOwner(id, msg.sender);
        // An EIP-7702-delegated key account runs code for whoever calls it; only its own
        // transactions speak for the key.
        if (msg.sender != tx.origin) revert NotDirectCall(msg.sender);
        _register(id, publicKey, validUntil, signedAt);
    }

    /// @inheritdoc IIdentityRegistry
    function registerFor(
        bytes32 id,
        bytes calldata publicKey,
        uint40 validUntil,
        uint40 signedAt,
        address recovery,
        bytes calldata signature
    ) external {
        _checkNewIdentity(id, publicKey, validUntil, signedAt);
        // An unregistered identity's nonce is 0.
        bytes32 structHash = keccak256(abi.encode(REGISTER_TYPEHASH, id, recovery, validUntil, signedAt, uint32(0)));
        _checkSignature(id, structHash, signature, _keyAddress(id));
        _register(id, publicKey, validUntil, signedAt);
        if (recovery != address(0)) {
            _recoveries[id].recovery = recovery;
            _emitRecoveryKeySet(id, recovery, signedAt, signature);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function rotateKey(
        bytes32 id,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        bytes calldata currentKeySignature,
        bytes calldata newKeySignature
    ) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        if (block.timestamp >= current.validUntil) revert IdentityExpired(id, current.validUntil);
        _checkNewKey(newPublicKey);
        _checkSignedAt(signedAt);
        _checkValidUntil(validUntil);

        bytes32 newKeyHash = keccak256(newPublicKey);
        bytes32 structHash = keccak256(
            abi.encode(ROTATE_KEY_TYPEHASH, id, newKeyHash, validUntil, signedAt, current.nonce)
        );
        _checkSignature(id, structHash, currentKeySignature, _currentAddress(current));
        _checkSignature(id, structHash, newKeySignature, _keyAddress(newKeyHash));

        _replaceKey(id, current, newPublicKey, validUntil, signedAt);
        emit KeyRotated(
            id,
            current.keyIndex + 1,
            newPublicKey,
            validUntil,
            signedAt,
            current.nonce,
            currentKeySignature,
            newKeySignature
        );
    }

    /// @inheritdoc IIdentityRegistry
    function revoke(bytes32 id) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        if (msg.sender != _currentAddress(current)) revert NotKeyOwner(id, msg.sender);
        if (msg.sender != tx.origin) revert NotDirectCall(msg.sender);

        // Nothing was signed, so no nonce is consumed.
        _revoke(id, current, current.nonce);
    }

    /// @inheritdoc IIdentityRegistry
    function revokeFor(bytes32 id, uint40 signedAt, bytes calldata signature) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        _checkSignedAt(signedAt);
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, id, signedAt, current.nonce));
        _checkSignature(id, structHash, signature, _currentAddress(current));

        _revoke(id, current, current.nonce + 1); // Consumes the signed nonce.
    }

    /// @inheritdoc IIdentityRegistry
    function recoveryRevoke(bytes32 id, bytes calldata recoverySignature) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        bytes32 structHash = keccak256(abi.encode(RECOVERY_REVOKE_TYPEHASH, id));
        _checkSignature(id, structHash, recoverySignature, _recoveryKey(id));

        // The recovery key signs no nonce: revocation is final, so a replay can only fail.
        _revoke(id, current, current.nonce);
    }

    /// @inheritdoc IIdentityRegistry
    function startRecovery(bytes32 id, bytes32 newKeyHash, uint40 signedAt, bytes calldata recoverySignature)
        external
    {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        _checkSignedAt(signedAt);
        bytes32 structHash = keccak256(abi.encode(START_RECOVERY_TYPEHASH, id, newKeyHash, signedAt));
        _checkSignature(id, structHash, recoverySignature, _recoveryKey(id));

        Recovery storage recovery = _recoveries[id];
        if (recovery.readyAt != 0 && recovery.pendingKeyHash == newKeyHash) {
            revert RecoveryPending(id, recovery.readyAt);
        }
        // Later than the last start or cancellation: a used or superseded signature cannot return.
        if (signedAt <= recovery.signedAt) revert StaleRecovery(id);

        uint40 readyAt = uint40(block.timestamp + recoveryDelay);
        recovery.readyAt = readyAt;
        recovery.signedAt = signedAt;
        recovery.v = uint8(recoverySignature[64]);
        recovery.pendingKeyHash = newKeyHash;
        recovery.r = bytes32(recoverySignature[:32]);
        recovery.s = bytes32(recoverySignature[32:64]);
        emit RecoveryStarted(id, newKeyHash, readyAt, signedAt, recoverySignature);
    }

    /// @inheritdoc IIdentityRegistry
    function cancelRecovery(bytes32 id, uint40 signedAt, bytes calldata recoverySignature) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        _checkSignedAt(signedAt);
        bytes32 structHash = keccak256(abi.encode(CANCEL_RECOVERY_TYPEHASH, id, signedAt));
        _checkSignature(id, structHash, recoverySignature, _recoveryKey(id));

        Recovery storage recovery = _recoveries[id];
        if (recovery.readyAt == 0) revert NoPendingRecovery(id);
        // Signed before the pending recovery was: it was meant for an earlier one.
        if (signedAt < recovery.signedAt) revert StaleRecovery(id);
        _clearPending(recovery, signedAt);
        emit RecoveryCancelled(id);
    }

    /// @inheritdoc IIdentityRegistry
    function completeRecovery(
        bytes32 id,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        bytes calldata newKeySignature
    ) external {
        Identity memory current = _load(id);
        _checkChangeable(id, current);
        Recovery storage recovery = _recoveries[id];
        bytes32 newKeyHash = _checkRecoveryKey(id, recovery, newPublicKey);
        _checkSignedAt(signedAt);
        _checkValidUntil(validUntil);
        // No nonce: rotations by whoever holds the current key must not invalidate it.
        bytes32 structHash =
            keccak256(abi.encode(COMPLETE_RECOVERY_TYPEHASH, id, newKeyHash, validUntil, signedAt));
        _checkSignature(id, structHash, newKeySignature, _keyAddress(newKeyHash));

        _replaceKey(id, current, newPublicKey, validUntil, signedAt);
        _endRecovery(id, current.keyIndex + 1, newPublicKey, validUntil, signedAt, recovery, newKeySignature);
    }

    /// @inheritdoc IIdentityRegistry
    function recoveryOf(bytes32 id)
        external
        view
        returns (address recovery, bytes32 pendingKeyHash, uint40 readyAt)
    {
        Recovery storage stored = _recoveries[id];
        return (stored.recovery, stored.pendingKeyHash, stored.readyAt);
    }

    /// @inheritdoc IIdentityRegistry
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
        )
    {
        Identity memory current = _load(id);
        if (!_exists(current)) {
            return (Status.Unknown, "", 0, 0, 0, 0, 0, 0);
        }
        if (current.revokedAt != 0) {
            status = Status.Revoked;
        } else if (block.timestamp >= current.validUntil) {
            status = Status.Expired;
        } else {
            status = Status.Active;
        }
        return (
            status,
            Secp256k1.decompress(current.x, current.yParity),
            current.keyIndex,
            current.registeredAt,
            current.validUntil,
            current.signedAt,
            current.revokedAt,
            current.nonce
        );
    }

    /// @inheritdoc IIdentityRegistry
    function keyCount(bytes32 id) external view returns (uint32) {
        Identity memory current = _load(id);
        return _exists(current) ? current.keyIndex + 1 : 0;
    }

    /// @inheritdoc IIdentityRegistry
    function keyByIndex(bytes32 id, uint32 index)
        external
        view
        returns (bytes memory publicKey, uint40 registeredAt, uint40 validUntil, uint40 retiredAt)
    {
        Identity memory current = _load(id);
        if (!_exists(current)) revert UnknownIdentity(id);
        if (index > current.keyIndex) revert KeyIndexOutOfRange(id, index);
        if (index == current.keyIndex) {
            return (
                Secp256k1.decompress(current.x, current.yParity),
                current.registeredAt,
                current.validUntil,
                current.revokedAt
            );
        }
        RetiredKey memory key = _retiredKeys[id][index];
        return (Secp256k1.decompress(key.x, key.yParity), key.registeredAt, key.validUntil, key.retiredAt);
    }

    /// @inheritdoc IIdentityRegistry
    function keyAt(bytes32 id, uint40 time) external view returns (uint32 index, bytes memory publicKey) {
        Identity memory current = _load(id);
        if (!_exists(current)) revert UnknownIdentity(id);

        if (time >= current.registeredAt) {
            // A revocation ends the current key early; otherwise its validity end does.
            if ((current.revokedAt != 0 && time >= current.revokedAt) || time >= current.validUntil) {
                revert NoKeyAt(id, time);
            }
            return (current.keyIndex, Secp256k1.decompress(current.x, current.yParity));
        }

        // Otherwise only the last retired key registered at or before `time` can have been in force:
        // each key retires when the next is registered. Registration times never decrease with the
        // index, so a binary search finds it.
        mapping(uint32 => RetiredKey) storage retired = _retiredKeys[id];
        uint32 low = 0;
        uint32 high = current.keyIndex; // Retired keys are 0 .. keyIndex - 1.
        while (low < high) {
            uint32 mid = low + (high - low) / 2;
            if (retired[mid].registeredAt <= time) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        // `low` retired keys were registered at or before `time`.
        if (low == 0) revert NoKeyAt(id, time);
        RetiredKey memory key = retired[low - 1];
        if (time >= key.retiredAt || time >= key.validUntil) revert NoKeyAt(id, time);
        return (low - 1, Secp256k1.decompress(key.x, key.yParity));
    }

    /// @notice The EIP-712 domain separator of this registry on the current chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Checks shared by both forms of registration, cheapest first.
    function _checkNewIdentity(bytes32 id, bytes calldata publicKey, uint40 validUntil, uint40 signedAt)
        private
        view
    {
        if (publicKey.length != PUBLIC_KEY_LENGTH) revert InvalidPublicKeyLength(publicKey.length);
        bytes32 keyHash = keccak256(publicKey);
        if (keyHash != id) revert PublicKeyMismatch(id, keyHash);
        // Reads only the packed slot, which registration writes next anyway.
        if (_validUntil(_identities[id].packed) != 0) revert AlreadyRegistered(id);
        _checkSignedAt(signedAt);
        _checkValidUntil(validUntil);
        if (!Secp256k1.isOnCurve(publicKey)) revert InvalidPublicKey();
    }

    /// @dev A key that is to replace the current one: 64 bytes, on the curve.
    function _checkNewKey(bytes calldata publicKey) private pure {
        if (publicKey.length != PUBLIC_KEY_LENGTH) revert InvalidPublicKeyLength(publicKey.length);
        if (!Secp256k1.isOnCurve(publicKey)) revert InvalidPublicKey();
    }

    /// @dev The identity's recovery key; reverts when it has none.
    function _recoveryKey(bytes32 id) private view returns (address recovery) {
        recovery = _recoveries[id].recovery;
        if (recovery == address(0)) revert NoRecoveryKey(id);
    }

    /// @dev Emits {RecoveryKeySet} with the owner's (already checked, low-s) 65-byte signature in
    /// EIP-2098 form: r, and s with v - 27 in its top bit.
    function _emitRecoveryKeySet(bytes32 id, address recovery, uint40 signedAt, bytes calldata signature) private {
        bytes32 r;
        bytes32 vs;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            let v := byte(0, calldataload(add(signature.offset, 0x40)))
            vs := or(calldataload(add(signature.offset, 0x20)), shl(255, sub(v, 27)))
        }
        emit RecoveryKeySet(id, recovery, signedAt, r, vs);
    }

    /// @dev Checks that `id`'s pending recovery is due and names `newPublicKey`; returns the key's hash.
    function _checkRecoveryKey(bytes32 id, Recovery storage recovery, bytes calldata newPublicKey)
        private
        view
        returns (bytes32 newKeyHash)
    {
        uint40 readyAt = recovery.readyAt;
        if (readyAt == 0) revert NoPendingRecovery(id);
        if (block.timestamp < readyAt) revert RecoveryNotReady(id, readyAt);
        _checkNewKey(newPublicKey);
        newKeyHash = keccak256(newPublicKey);
        if (newKeyHash != recovery.pendingKeyHash) revert RecoveryKeyMismatch(id, newKeyHash);
    }

    /// @dev Consumes the pending recovery that made `newPublicKey` key number `keyIndex`, and emits
    /// {KeyRecovered} with the recovery key's stored signature.
    function _endRecovery(
        bytes32 id,
        uint32 keyIndex,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt,
        Recovery storage recovery,
        bytes calldata newKeySignature
    ) private {
        bytes memory recoverySignature = abi.encodePacked(recovery.r, recovery.s, recovery.v);
        uint40 recoverySignedAt = recovery.signedAt;
        _clearPending(recovery, recoverySignedAt);
        emit KeyRecovered(
            id, keyIndex, newPublicKey, validUntil, signedAt, recoverySignedAt, recoverySignature, newKeySignature
        );
    }

    /// @dev Ends the pending recovery, keeping `signedAt` as the last recovery action's time.
    /// Zeroing the key hash and signature slots refunds part of their cost.
    function _clearPending(Recovery storage recovery, uint40 signedAt) private {
        recovery.readyAt = 0;
        recovery.signedAt = signedAt;
        recovery.v = 0;
        recovery.pendingKeyHash = 0;
        recovery.r = 0;
        recovery.s = 0;
    }

    /// @dev Stores the identity's first key once all checks have passed. Consumes nonce 0.
    function _register(bytes32 id, bytes calldata publicKey, uint40 validUntil, uint40 signedAt) private {
        StoredIdentity storage stored = _identities[id];
        stored.x = _x(publicKey);
        stored.packed = _pack(Secp256k1.yParity(publicKey), 0, uint40(block.timestamp), validUntil, signedAt, 0, 1);
        emit IdentityRegistered(id, msg.sender, validUntil);
    }

    /// @dev Retires the current key now and makes `newPublicKey` current from now on.
    function _replaceKey(
        bytes32 id,
        Identity memory current,
        bytes calldata newPublicKey,
        uint40 validUntil,
        uint40 signedAt
    ) private {
        _retiredKeys[id][current.keyIndex] = RetiredKey({
            x: current.x,
            yParity: current.yParity,
            registeredAt: current.registeredAt,
            validUntil: current.validUntil,
            retiredAt: uint40(block.timestamp)
        });
        StoredIdentity storage stored = _identities[id];
        stored.x = _x(newPublicKey);
        stored.packed = _pack(
            Secp256k1.yParity(newPublicKey),
            current.keyIndex + 1,
            uint40(block.timestamp),
            validUntil,
            signedAt,
            0,
            current.nonce + 1
        );
    }

    /// @dev Marks the identity revoked now, leaving its key in place, and sets its next nonce.
    function _revoke(bytes32 id, Identity memory current, uint32 nonce) private {
        _identities[id].packed = _pack(
            current.yParity,
            current.keyIndex,
            current.registeredAt,
            current.validUntil,
            current.signedAt,
            uint40(block.timestamp),
            nonce
        );
        emit IdentityRevoked(id, current.keyIndex);
    }

    /// @dev Rotation and revocation need a registered identity that is not revoked.
    function _checkChangeable(bytes32 id, Identity memory current) private pure {
        if (!_exists(current)) revert UnknownIdentity(id);
        if (current.revokedAt != 0) revert IIdentityRegistryErrors.IdentityRevoked(id);
    }

    /// @dev Bounds the owner's timestamp to [now - MAX_SIGNATURE_AGE, now + MAX_CLOCK_SKEW], without
    /// a subtraction that would underflow near timestamp 0.
    function _checkSignedAt(uint40 signedAt) private view {
        if (uint256(signedAt) + MAX_SIGNATURE_AGE < block.timestamp) {
            revert StaleTimestamp(signedAt, uint40(block.timestamp));
        }
        if (signedAt > block.timestamp + MAX_CLOCK_SKEW) {
            revert FutureTimestamp(signedAt, uint40(block.timestamp));
        }
    }

    /// @dev A validity end after the block time and at most {MAX_VALIDITY} after it.
    function _checkValidUntil(uint40 validUntil) private view {
        if (validUntil <= block.timestamp) revert ValidityEndInPast(validUntil, uint40(block.timestamp));
        uint256 maxValidUntil;
        unchecked {
            maxValidUntil = block.timestamp + MAX_VALIDITY; // Cannot overflow: both are far below 2^255.
        }
        if (validUntil > maxValidUntil) revert ValidityEndTooFar(validUntil, uint40(maxValidUntil));
    }

    /// @dev Reverts unless `signature` is a valid, non-malleable signature of the typed data by `signer`.
    function _checkSignature(bytes32 id, bytes32 structHash, bytes calldata signature, address signer)
        private
        view
    {
        (address recovered, ECDSA.RecoverError err,) = CalldataSignature.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) revert InvalidSignature(id);
    }

    /// @dev The x coordinate of a 64-byte key whose length was checked.
    function _x(bytes calldata publicKey) private pure returns (bytes32 x) {
        assembly ("memory-safe") {
            x := calldataload(publicKey.offset)
        }
    }

    /// @dev The account of a key is the last 20 bytes of the key's hash.
    function _keyAddress(bytes32 keyHash) private pure returns (address) {
        return address(uint160(uint256(keyHash)));
    }

    function _currentAddress(Identity memory current) private view returns (address) {
        return Secp256k1.toAddress(current.x, current.yParity);
    }

    function _exists(Identity memory identity) private pure returns (bool) {
        return identity.validUntil != 0;
    }

    /// @dev Reads and unpacks an identity; all fields are 0 for an unknown ID.
    function _load(bytes32 id) private view returns (Identity memory identity) {
        StoredIdentity storage stored = _identities[id];
        uint256 packed = stored.packed;
        identity.x = stored.x;
        identity.yParity = uint8(packed);
        identity.keyIndex = uint32(packed >> 8);
        identity.registeredAt = uint40(packed >> 40);
        identity.validUntil = _validUntil(packed);
        identity.signedAt = uint40(packed >> 120);
        identity.revokedAt = uint40(packed >> 160);
        identity.nonce = uint32(packed >> 200);
    }

    function _validUntil(uint256 packed) private pure returns (uint40) {
        return uint40(packed >> 80);
    }

    /// @dev The inverse of {_load}: every field but x, in one word.
    function _pack(
        uint8 yParity,
        uint32 keyIndex,
        uint40 registeredAt,
        uint40 validUntil,
        uint40 signedAt,
        uint40 revokedAt,
        uint32 nonce
    ) private pure returns (uint256) {
        return uint256(yParity) | (uint256(keyIndex) << 8) | (uint256(registeredAt) << 40)
            | (uint256(validUntil) << 80) | (uint256(signedAt) << 120) | (uint256(revokedAt) << 160)
            | (uint256(nonce) << 200);
    }
}
