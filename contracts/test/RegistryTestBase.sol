// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IdentityRegistry} from "../IdentityRegistry.sol";
import {IIdentityRegistry} from "../IIdentityRegistry.sol";
import {TestSecp256k1} from "./TestSecp256k1.sol";
import {vm} from "./Vm.sol";

/// @notice Shared fixture of the registry tests: keys, EIP-712 digests computed independently of
/// the contract (from the type strings the interface documents) and shortcuts for common actions.
abstract contract RegistryTestBase {
    struct Key {
        uint256 privateKey;
        bytes publicKey;
        bytes32 id;
        address account;
    }

    uint40 internal constant START = 1_750_000_000;
    uint40 internal constant YEAR = 365 days;
    uint256 internal constant MAX_AGE = 1 hours;
    uint256 internal constant MAX_SKEW = 5 minutes;
    /// @dev Half the curve order: a valid signature's s is at most this (EIP-2).
    uint256 internal constant HALF_N = TestSecp256k1.N / 2;

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant REGISTER_TYPEHASH =
        keccak256("Register(bytes32 id,address recovery,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    bytes32 internal constant ROTATE_KEY_TYPEHASH =
        keccak256("RotateKey(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    bytes32 internal constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 id,uint40 signedAt,uint32 nonce)");
    bytes32 internal constant RECOVERY_REVOKE_TYPEHASH = keccak256("RecoveryRevoke(bytes32 id)");
    bytes32 internal constant START_RECOVERY_TYPEHASH =
        keccak256("StartRecovery(bytes32 id,bytes32 newKeyHash,uint40 signedAt)");
    bytes32 internal constant CANCEL_RECOVERY_TYPEHASH = keccak256("CancelRecovery(bytes32 id,uint40 signedAt)");
    bytes32 internal constant COMPLETE_RECOVERY_TYPEHASH =
        keccak256("CompleteRecovery(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt)");

    /// @dev The recovery delay of the registry under test.
    uint32 internal constant DELAY = 3 days;
    uint256 internal constant MAX_VALIDITY = 3650 days;

    address internal constant RELAYER = address(0xBEEF);

    IdentityRegistry internal registry;

    function setUp() public virtual {
        vm.warp(START);
        registry = new IdentityRegistry(DELAY);
    }

    // ---- keys and signatures ----

    /// @dev A key pair with its ID and account; the public key is checked against vm.addr.
    function _key(uint256 privateKey) internal view returns (Key memory key) {
        key.privateKey = privateKey;
        key.publicKey = TestSecp256k1.publicKey(privateKey);
        key.id = keccak256(key.publicKey);
        key.account = address(uint160(uint256(key.id)));
        vm.assertEq(key.account, vm.addr(privateKey), "public key does not match vm.addr");
    }

    /// @dev A private key in [1, N - 1] drawn from a fuzzed seed.
    function _privateKey(uint256 seed) internal pure returns (uint256) {
        return 1 + (seed % (TestSecp256k1.N - 1));
    }

    /// @dev Maps a fuzzed value into [min, max].
    function _bound(uint256 value, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (value % (max - min + 1));
    }

    function _sign(uint256 privateKey, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _domainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("peerkey IdentityRegistry"),
                keccak256("2"),
                block.chainid,
                verifyingContract
            )
        );
    }

    function _typedDigest(address verifyingContract, bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(verifyingContract), structHash));
    }

    function _registerSig(IdentityRegistry target, Key memory key, uint40 validUntil, uint40 signedAt)
        internal
        view
        returns (bytes memory)
    {
        return _registerSig(target, key, address(0), validUntil, signedAt);
    }

    function _registerSig(
        IdentityRegistry target,
        Key memory key,
        address recovery,
        uint40 validUntil,
        uint40 signedAt
    ) internal view returns (bytes memory) {
        bytes32 structHash =
            keccak256(abi.encode(REGISTER_TYPEHASH, key.id, recovery, validUntil, signedAt, uint32(0)));
        return _sign(key.privateKey, _typedDigest(address(target), structHash));
    }

    function _registerDigest(bytes32 id, uint40 validUntil, uint40 signedAt, uint32 nonce)
        internal
        view
        returns (bytes32)
    {
        return _registerDigest(id, address(0), validUntil, signedAt, nonce);
    }

    function _registerDigest(bytes32 id, address recovery, uint40 validUntil, uint40 signedAt, uint32 nonce)
        internal
        view
        returns (bytes32)
    {
        return _typedDigest(
            address(registry), keccak256(abi.encode(REGISTER_TYPEHASH, id, recovery, validUntil, signedAt, nonce))
        );
    }

    function _recoveryRevokeSig(uint256 recoveryKey, bytes32 id) internal view returns (bytes memory) {
        return _sign(recoveryKey, _typedDigest(address(registry), keccak256(abi.encode(RECOVERY_REVOKE_TYPEHASH, id))));
    }

    function _startRecoverySig(uint256 recoveryKey, bytes32 id, bytes32 newKeyHash, uint40 signedAt)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(abi.encode(START_RECOVERY_TYPEHASH, id, newKeyHash, signedAt));
        return _sign(recoveryKey, _typedDigest(address(registry), structHash));
    }

    function _cancelRecoverySig(uint256 recoveryKey, bytes32 id, uint40 signedAt)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(abi.encode(CANCEL_RECOVERY_TYPEHASH, id, signedAt));
        return _sign(recoveryKey, _typedDigest(address(registry), structHash));
    }

    function _completeRecoverySig(Key memory newKey, bytes32 id, uint40 validUntil, uint40 signedAt)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash =
            keccak256(abi.encode(COMPLETE_RECOVERY_TYPEHASH, id, newKey.id, validUntil, signedAt));
        return _sign(newKey.privateKey, _typedDigest(address(registry), structHash));
    }

    function _rotateDigest(bytes32 id, bytes memory newPublicKey, uint40 validUntil, uint40 signedAt, uint32 nonce)
        internal
        view
        returns (bytes32)
    {
        return _typedDigest(
            address(registry),
            keccak256(abi.encode(ROTATE_KEY_TYPEHASH, id, keccak256(newPublicKey), validUntil, signedAt, nonce))
        );
    }

    function _revokeSig(uint256 privateKey, bytes32 id, uint40 signedAt, uint32 nonce)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, id, signedAt, nonce));
        return _sign(privateKey, _typedDigest(address(registry), structHash));
    }

    function _now() internal view returns (uint40) {
        return uint40(block.timestamp);
    }

    // ---- actions that are expected to succeed ----

    /// @dev Sent by the key's account as the transaction's signer (msg.sender == tx.origin).
    function _registerSelf(Key memory key, uint40 validUntil) internal {
        vm.prank(key.account, key.account);
        registry.register(key.id, key.publicKey, validUntil, _now());
    }

    function _registerRelayed(Key memory key, uint40 validUntil) internal {
        _registerWithRecovery(key, address(0), validUntil);
    }

    function _registerWithRecovery(Key memory key, address recovery, uint40 validUntil) internal {
        bytes memory signature = _registerSig(registry, key, recovery, validUntil, _now());
        vm.prank(RELAYER);
        registry.registerFor(key.id, key.publicKey, validUntil, _now(), recovery, signature);
    }

    /// @dev Revokes with the current key, sent by its account as the transaction's signer.
    function _revokeSelf(bytes32 id, Key memory current) internal {
        vm.prank(current.account, current.account);
        registry.revoke(id);
    }

    /// @dev Rotates `id` from `current` to `next`, signing with the identity's current nonce.
    function _rotate(bytes32 id, Key memory current, Key memory next, uint40 validUntil) internal {
        uint32 nonce = _nonce(id);
        bytes32 digest = _rotateDigest(id, next.publicKey, validUntil, _now(), nonce);
        registry.rotateKey(
            id,
            next.publicKey,
            validUntil,
            _now(),
            _sign(current.privateKey, digest),
            _sign(next.privateKey, digest)
        );
    }

    // ---- reading state ----

    function _status(bytes32 id) internal view returns (IIdentityRegistry.Status status) {
        (status,,,,,,,) = registry.lookup(id);
    }

    function _currentKey(bytes32 id) internal view returns (bytes memory publicKey) {
        (, publicKey,,,,,,) = registry.lookup(id);
    }

    function _nonce(bytes32 id) internal view returns (uint32 nonce) {
        (,,,,,,, nonce) = registry.lookup(id);
    }

    /// @dev Everything the registry tells about `id`, to show that a reverted call changed nothing.
    function _snapshot(bytes32 id) internal view returns (bytes memory) {
        uint32 count = registry.keyCount(id);
        bytes memory keys;
        for (uint32 i = 0; i < count; i++) {
            (bytes memory publicKey, uint40 registeredAt, uint40 validUntil, uint40 retiredAt) =
                registry.keyByIndex(id, i);
            keys = abi.encodePacked(keys, publicKey, registeredAt, validUntil, retiredAt);
        }
        (address recovery, bytes32 pendingKeyHash, uint40 readyAt) = registry.recoveryOf(id);
        return abi.encode(_lookupEncoded(id), count, keys, recovery, pendingKeyHash, readyAt);
    }

    function _lookupEncoded(bytes32 id) internal view returns (bytes memory) {
        (
            IIdentityRegistry.Status status,
            bytes memory publicKey,
            uint32 keyIndex,
            uint40 registeredAt,
            uint40 validUntil,
            uint40 signedAt,
            uint40 revokedAt,
            uint32 nonce
        ) = registry.lookup(id);
        return abi.encode(status, publicKey, keyIndex, registeredAt, validUntil, signedAt, revokedAt, nonce);
    }

    function _assertUnchanged(bytes32 id, bytes memory before) internal view {
        vm.assertEq(_snapshot(id), before, "state changed by a reverted call");
    }

    function _assertStatus(bytes32 id, IIdentityRegistry.Status expected) internal view {
        vm.assertEq(uint256(_status(id)), uint256(expected), "status");
    }
}
