// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry} from "../IIdentityRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";
import {vm} from "./Vm.sol";

/// @title Log-recording cheatcodes (implemented by Hardhat's EDR)
interface LogVm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
}

/// @dev The cheatcodes answer at the same address as {vm}.
LogVm constant vml = LogVm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @notice Registry tests that check an identity's history the way a client does: from the
/// registry's logs alone, never from transaction input. Each check recomputes the EIP-712
/// digest from the logged fields and recovers the signers.
abstract contract RegistryLogTestBase is RegistryTestBase {
    /// @dev A recovery key: an account that signs but holds no identity.
    struct RecoveryKey {
        uint256 privateKey;
        address account;
    }

    function _recoveryKey(uint256 privateKey) internal pure returns (RecoveryKey memory key) {
        key.privateKey = privateKey;
        key.account = vm.addr(privateKey);
    }

    /// @dev The registry's logs since the last call, with topic 0 `eventSelector` and topic 1 `id`.
    function _logs(bytes32 eventSelector, bytes32 id) internal returns (LogVm.Log[] memory found) {
        LogVm.Log[] memory all = vml.getRecordedLogs();
        uint256 count;
        for (uint256 i = 0; i < all.length; i++) {
            if (_matches(all[i], eventSelector, id)) count++;
        }
        found = new LogVm.Log[](count);
        count = 0;
        for (uint256 i = 0; i < all.length; i++) {
            if (_matches(all[i], eventSelector, id)) found[count++] = all[i];
        }
    }

    function _matches(LogVm.Log memory log, bytes32 eventSelector, bytes32 id) private view returns (bool) {
        return log.emitter == address(registry) && log.topics.length >= 2 && log.topics[0] == eventSelector
            && log.topics[1] == id;
    }

    /// @dev The signer of a 65-byte r || s || v signature, or address(0).
    function _signer(bytes32 digest, bytes memory signature) internal pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (uint256(s) > HALF_N) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// @dev Checks one KeyRotated log as a client would: key `keyIndex - 1` (`previous`) and the
    /// logged new key both signed RotateKey over the logged fields with nonce == keyIndex.
    /// @return newPublicKey The key the log makes current.
    function _verifyKeyRotated(LogVm.Log memory log, bytes32 id, uint32 keyIndex, address previous)
        internal
        view
        returns (bytes memory newPublicKey)
    {
        uint32 loggedIndex;
        uint40 validUntil;
        uint40 signedAt;
        uint32 nonce;
        bytes memory currentSig;
        bytes memory newSig;
        (loggedIndex, newPublicKey, validUntil, signedAt, nonce, currentSig, newSig) =
            abi.decode(log.data, (uint32, bytes, uint40, uint40, uint32, bytes, bytes));
        vm.assertEq(loggedIndex, keyIndex, "KeyRotated keyIndex");
        vm.assertEq(nonce, keyIndex, "KeyRotated nonce");
        bytes32 digest = _rotateDigest(id, newPublicKey, validUntil, signedAt, nonce);
        vm.assertEq(_signer(digest, currentSig), previous, "KeyRotated: signed by the previous key");
        vm.assertEq(_signer(digest, newSig), _account(newPublicKey), "KeyRotated: signed by the new key");
    }

    /// @dev Checks one KeyRecovered log: `recovery` signed StartRecovery and the logged new key
    /// signed CompleteRecovery over the logged fields.
    function _verifyKeyRecovered(LogVm.Log memory log, bytes32 id, uint32 keyIndex, address recovery)
        internal
        view
        returns (bytes memory newPublicKey)
    {
        uint32 loggedIndex;
        uint40 recoverySignedAt;
        bytes memory recoverySig;
        (loggedIndex, newPublicKey,,, recoverySignedAt, recoverySig,) =
            abi.decode(log.data, (uint32, bytes, uint40, uint40, uint40, bytes, bytes));
        vm.assertEq(loggedIndex, keyIndex, "KeyRecovered keyIndex");
        bytes32 startDigest = _typedDigest(
            address(registry),
            keccak256(abi.encode(START_RECOVERY_TYPEHASH, id, keccak256(newPublicKey), recoverySignedAt))
        );
        vm.assertEq(_signer(startDigest, recoverySig), recovery, "KeyRecovered: signed by the recovery key");
        _verifyNewKeyAccepted(log, id);
    }

    function _verifyNewKeyAccepted(LogVm.Log memory log, bytes32 id) private view {
        (, bytes memory key, uint40 validUntil, uint40 signedAt,,, bytes memory newSig) =
            abi.decode(log.data, (uint32, bytes, uint40, uint40, uint40, bytes, bytes));
        bytes32 digest = _typedDigest(
            address(registry),
            keccak256(abi.encode(COMPLETE_RECOVERY_TYPEHASH, id, keccak256(key), validUntil, signedAt))
        );
        vm.assertEq(_signer(digest, newSig), _account(key), "KeyRecovered: signed by the new key");
    }

    /// @dev Checks a RecoveryKeySet log against the identity's first key and the validity end of
    /// its IdentityRegistered log. @return recovery The committed recovery address.
    function _verifyRecoveryKeySet(LogVm.Log memory log, bytes32 id, uint40 validUntil)
        internal
        view
        returns (address recovery)
    {
        uint40 signedAt;
        bytes32 r;
        bytes32 vs;
        (recovery, signedAt, r, vs) = abi.decode(log.data, (address, uint40, bytes32, bytes32));
        bytes32 digest = _registerDigest(id, recovery, validUntil, signedAt, 0);
        // EIP-2098: v - 27 is the top bit of vs, s the rest.
        bytes memory signature =
            abi.encodePacked(r, uint256(vs) & (type(uint256).max >> 1), uint8(27 + (uint256(vs) >> 255)));
        vm.assertEq(_signer(digest, signature), address(uint160(uint256(id))), "RecoveryKeySet: signed by key 0");
    }

    /// @dev A 65-byte r || s || v signature in EIP-2098 form (r, vs).
    function _compact(bytes memory signature) internal pure returns (bytes32 r, bytes32 vs) {
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            vs := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        vs |= bytes32(uint256(v - 27) << 255);
    }

    function _account(bytes memory publicKey) internal pure returns (address) {
        return address(uint160(uint256(keccak256(publicKey))));
    }
}
