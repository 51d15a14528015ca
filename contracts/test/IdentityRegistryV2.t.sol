// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IdentityRegistry} from "../IdentityRegistry.sol";
import {IIdentityRegistry} from "../IIdentityRegistry.sol";
import {Secp256k1} from "../Secp256k1.sol";
import {RegistryLogTestBase, LogVm, vml} from "./RegistryLogTestBase.sol";
import {Relay} from "./Relay.sol";
import {TestSecp256k1} from "./TestSecp256k1.sol";
import {vm} from "./Vm.sol";

/// @notice The rules version 2 adds outside recovery: constructor, validity bound, point
/// validation, the tx.origin rule, and rotations that land whoever submits them and verify from
/// their log alone.
contract IdentityRegistryV2Test is RegistryLogTestBase {
    /// @dev sqrt(1^3 + 7) mod p: (1, Y1) is on the curve.
    uint256 internal constant Y1 = 0x4218F20AE6C646B363DB68605822FB14264CA8D2587FDD6FBC750D587E76A7EE;
    uint256 internal constant P = Secp256k1.P;

    Key internal alice;
    Key internal bob;
    Key internal mallory;
    uint40 internal validUntil;
    Relay internal relay;

    function setUp() public override {
        super.setUp();
        alice = _key(0xA11CE);
        bob = _key(0xB0B);
        mallory = _key(0xBAD);
        validUntil = _now() + YEAR;
        relay = new Relay();
    }

    // ------------------------------------------------------------------ constants and constructor

    function test_V2Constants() public {
        vm.assertEq(registry.RECOVERY_REVOKE_TYPEHASH(), RECOVERY_REVOKE_TYPEHASH, "RECOVERY_REVOKE_TYPEHASH");
        vm.assertEq(registry.START_RECOVERY_TYPEHASH(), START_RECOVERY_TYPEHASH, "START_RECOVERY_TYPEHASH");
        vm.assertEq(registry.CANCEL_RECOVERY_TYPEHASH(), CANCEL_RECOVERY_TYPEHASH, "CANCEL_RECOVERY_TYPEHASH");
        vm.assertEq(
            registry.COMPLETE_RECOVERY_TYPEHASH(), COMPLETE_RECOVERY_TYPEHASH, "COMPLETE_RECOVERY_TYPEHASH"
        );
        vm.assertEq(registry.MAX_VALIDITY(), 3650 days, "MAX_VALIDITY");
        vm.assertEq(registry.recoveryDelay(), DELAY, "recoveryDelay");
        vm.assertEq(new IdentityRegistry(1).recoveryDelay(), 1, "a one-second delay");
    }

    function test_DeployedAt_IsTheDeploymentBlock() public {
        uint256 deployBlock = block.number;
        vm.assertEq(registry.deployedAt(), deployBlock, "deployedAt of the setUp deployment");
        vm.roll(deployBlock + 1234);
        IdentityRegistry later = new IdentityRegistry(DELAY);
        vm.assertEq(later.deployedAt(), deployBlock + 1234, "a later deployment's block");
        vm.assertEq(registry.deployedAt(), deployBlock, "immutable: unchanged by later blocks");
    }

    function test_Constructor_RejectsZeroDelay() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidRecoveryDelay.selector));
        new IdentityRegistry(0);
    }

    // ------------------------------------------------------------------ validity bound

    function test_ValidityBound_Register() public {
        uint40 t = _now();
        uint40 tooFar = t + uint40(MAX_VALIDITY) + 1;
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, tooFar, t + MAX_VALIDITY);
        vm.expectRevert(err);
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, tooFar, t);

        bytes memory signature = _registerSig(registry, alice, tooFar, t);
        vm.expectRevert(err);
        registry.registerFor(alice.id, alice.publicKey, tooFar, t, address(0), signature);
        _assertStatus(alice.id, IIdentityRegistry.Status.Unknown);

        // The largest uint40 is refused the same way (no overflow, no other error).
        uint40 max = type(uint40).max;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, max, t + MAX_VALIDITY));
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, max, t);

        // Exactly MAX_VALIDITY ahead is allowed.
        _registerSelf(alice, t + uint40(MAX_VALIDITY));
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
    }

    function test_ValidityBound_RotateKey() public {
        _registerSelf(alice, validUntil);
        uint40 t = _now();
        uint40 tooFar = t + uint40(MAX_VALIDITY) + 1;
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, tooFar, t, 1);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, tooFar, t + MAX_VALIDITY));
        registry.rotateKey(alice.id, bob.publicKey, tooFar, t, _sign(alice.privateKey, digest), _sign(bob.privateKey, digest));
        _assertUnchanged(alice.id, before);

        _rotate(alice.id, alice, bob, t + uint40(MAX_VALIDITY));
        vm.assertEq(_currentKey(alice.id), bob.publicKey, "rotated with the furthest end");
    }

    /// @dev The bound moves with the block time: fuzzed block times and ends.
    function testFuzz_ValidityBound(uint256 elapsed, uint256 endSeed) public {
        vm.warp(START + _bound(elapsed, 0, 20 * YEAR));
        uint40 t = _now();
        uint40 end = uint40(_bound(endSeed, t + 1, type(uint40).max));
        if (endSeed % 2 == 0) end = uint40(t + MAX_VALIDITY - 2 + (endSeed >> 8) % 5); // Near the edge.
        bytes memory signature = _registerSig(registry, alice, end, t);
        if (end > t + MAX_VALIDITY) {
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, end, t + MAX_VALIDITY));
        }
        registry.registerFor(alice.id, alice.publicKey, end, t, address(0), signature);
        _assertStatus(
            alice.id, end > t + MAX_VALIDITY ? IIdentityRegistry.Status.Unknown : IIdentityRegistry.Status.Active
        );
    }

    // ------------------------------------------------------------------ point validation

    /// @dev Self-sent registration needs no signature, so an account could try to register any
    /// 64 bytes that hash to it. Keys that are not curve points are refused.
    function test_Register_RevertsOnKeysOffTheCurve() public {
        bytes[4] memory bad = [
            abi.encodePacked(uint256(1), Y1 + 1), // Off the curve.
            abi.encodePacked(uint256(0), uint256(0)), // x = 0 has no curve point.
            abi.encodePacked(uint256(1) + P, Y1), // x >= p: equal to a curve point's x only mod p.
            abi.encodePacked(uint256(1), P) // y >= p.
        ];
        for (uint256 i = 0; i < bad.length; i++) {
            bytes32 id = keccak256(bad[i]);
            address account = address(uint160(uint256(id)));
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKey.selector));
            vm.prank(account, account);
            registry.register(id, bad[i], validUntil, _now());

            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKey.selector));
            registry.registerFor(id, bad[i], validUntil, _now(), address(0), new bytes(65));
            _assertStatus(id, IIdentityRegistry.Status.Unknown);
        }
        // The valid point with x = 1 would pass the point check (and fail only on the signature).
        bytes memory good = abi.encodePacked(uint256(1), Y1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, keccak256(good)));
        registry.registerFor(keccak256(good), good, validUntil, _now(), address(0), new bytes(65));
    }

    function test_RotateKey_RevertsOnKeysOffTheCurve() public {
        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        bytes[3] memory bad = [
            abi.encodePacked(uint256(1), Y1 + 1),
            abi.encodePacked(uint256(5), uint256(7)),
            abi.encodePacked(uint256(1) + P, Y1)
        ];
        for (uint256 i = 0; i < bad.length; i++) {
            bytes32 digest = _rotateDigest(alice.id, bad[i], validUntil, _now(), 1);
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKey.selector));
            registry.rotateKey(alice.id, bad[i], validUntil, _now(), _sign(alice.privateKey, digest), new bytes(65));
        }
        _assertUnchanged(alice.id, before);
    }

    function test_Decompress_RevertsWithoutACurvePoint() public {
        uint256[5] memory xs = [uint256(0), 5, P, P + 1, type(uint256).max];
        for (uint256 i = 0; i < xs.length; i++) {
            for (uint8 parity = 0; parity < 2; parity++) {
                vm.expectRevert(abi.encodeWithSelector(Secp256k1.InvalidPoint.selector));
                this.decompress(bytes32(xs[i]), parity);
                vm.expectRevert(abi.encodeWithSelector(Secp256k1.InvalidPoint.selector));
                this.toAddress(bytes32(xs[i]), parity);
            }
        }
        vm.assertEq(this.decompress(bytes32(uint256(1)), 0), abi.encodePacked(uint256(1), Y1), "x = 1, even y");
        vm.assertEq(this.decompress(bytes32(uint256(1)), 1), abi.encodePacked(uint256(1), P - Y1), "x = 1, odd y");
    }

    /// @dev Any x either has no point (InvalidPoint) or comes back as a point on the curve with
    /// the requested parity, and toAddress agrees with it.
    function testFuzz_Decompress(uint256 x, bool odd) public view {
        uint8 parity = odd ? 1 : 0;
        try this.decompress(bytes32(x), parity) returns (bytes memory key) {
            (uint256 kx, uint256 ky) = abi.decode(key, (uint256, uint256));
            vm.assertEq(kx, x, "x");
            vm.assertTrue(x < P && ky < P, "coordinates below p");
            vm.assertEq(mulmod(ky, ky, P), addmod(mulmod(mulmod(x, x, P), x, P), 7, P), "on the curve");
            vm.assertEq(ky & 1, parity, "parity");
            vm.assertEq(this.toAddress(bytes32(x), parity), _account(key), "toAddress");
            vm.assertTrue(this.isOnCurve(key), "isOnCurve");
        } catch (bytes memory err) {
            vm.assertEq(err, abi.encodeWithSelector(Secp256k1.InvalidPoint.selector), "only InvalidPoint");
            vm.assertTrue(x >= P || !_hasRoot(addmod(mulmod(mulmod(x, x, P), x, P), 7, P)), "refused a valid x");
        }
    }

    /// @dev Real keys are on the curve; changing y by one takes them off it.
    function testFuzz_IsOnCurve(uint256 seed) public view {
        Key memory key = _key(_privateKey(seed));
        vm.assertTrue(this.isOnCurve(key.publicKey), "a real key");
        (uint256 x, uint256 y) = abi.decode(key.publicKey, (uint256, uint256));
        vm.assertTrue(!this.isOnCurve(abi.encodePacked(x, (y + 1) % P)), "y + 1");
        vm.assertTrue(!this.isOnCurve(abi.encodePacked(x + 1, y)) || x + 1 >= P, "x + 1 with the same y");
    }

    function decompress(bytes32 x, uint8 parity) external view returns (bytes memory) {
        return Secp256k1.decompress(x, parity);
    }

    function toAddress(bytes32 x, uint8 parity) external view returns (address) {
        return Secp256k1.toAddress(x, parity);
    }

    function isOnCurve(bytes calldata publicKey) external pure returns (bool) {
        return Secp256k1.isOnCurve(publicKey);
    }

    function _hasRoot(uint256 a) private view returns (bool) {
        (bool ok, bytes memory out) = address(0x05).staticcall(abi.encode(32, 32, 32, a, (P - 1) / 2, P));
        require(ok, "modexp");
        return abi.decode(out, (uint256)) == 1;
    }

    // ------------------------------------------------------------------ tx.origin rule

    /// @dev An EIP-7702-delegated key account executes its delegate's code for whoever calls it:
    /// msg.sender is the key's account but tx.origin is the caller. Such a call cannot register
    /// or revoke; the relayed, signed forms remain.
    function test_SelfSent_RequiresDirectCall() public {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotDirectCall.selector, alice.account));
        vm.prank(alice.account, mallory.account);
        registry.register(alice.id, alice.publicKey, validUntil, _now());
        _assertStatus(alice.id, IIdentityRegistry.Status.Unknown);

        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotDirectCall.selector, alice.account));
        vm.prank(alice.account, mallory.account);
        registry.revoke(alice.id);
        _assertUnchanged(alice.id, before);

        // A contract forwarding the call is neither the key's account nor the signer.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, address(relay)));
        relay.forward(address(registry), abi.encodeCall(registry.revoke, (alice.id)));

        _revokeSelf(alice.id, alice);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    // ------------------------------------------------------------------ front-running

    /// @dev The owner's signed rotation, as calldata anyone can copy from the mempool.
    function _ownersRotation() internal returns (bytes memory call) {
        _registerSelf(alice, validUntil);
        vm.warp(block.timestamp + 10);
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, validUntil, _now(), 1);
        call = abi.encodeCall(
            registry.rotateKey,
            (alice.id, bob.publicKey, validUntil, _now(), _sign(alice.privateKey, digest), _sign(bob.privateKey, digest))
        );
    }

    /// @dev After a front-run the owner's rotation is in place, its own submission fails, and
    /// the KeyRotated log alone proves the rotation.
    function _assertOwnersRotationLanded(bytes memory call) internal {
        LogVm.Log[] memory logs = _logs(IIdentityRegistry.KeyRotated.selector, alice.id);
        vm.assertEq(logs.length, 1, "one KeyRotated log");
        vm.assertEq(_verifyKeyRotated(logs[0], alice.id, 1, alice.account), bob.publicKey, "logged key");
        vm.assertEq(_currentKey(alice.id), bob.publicKey, "the owner's new key is current");
        vm.assertEq(registry.keyCount(alice.id), 2, "one rotation");

        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        vm.prank(alice.account, alice.account);
        (bool ok,) = address(registry).call(call);
        ok; // expectRevert asserts the revert.
        _assertUnchanged(alice.id, before);

        // The new key works as the owner's.
        _rotate(alice.id, bob, mallory, validUntil);
        vm.assertEq(_currentKey(alice.id), mallory.publicKey, "the new key rotates");
    }

    function test_FrontRun_RotationThroughARelayContract() public {
        bytes memory call = _ownersRotation();
        vml.recordLogs();
        vm.prank(RELAYER, RELAYER);
        relay.forward(address(registry), call);
        _assertOwnersRotationLanded(call);
    }

    function test_FrontRun_RotationByAPlainCopy() public {
        bytes memory call = _ownersRotation();
        vml.recordLogs();
        vm.prank(RELAYER, RELAYER);
        (bool ok,) = address(registry).call(call);
        vm.assertTrue(ok, "the copy lands");
        _assertOwnersRotationLanded(call);
    }

    /// @dev A relayed registration with a recovery key, front-run by a copy or through a relay:
    /// the identity is registered exactly as signed, recovery key included, and the log proves it.
    function test_FrontRun_RegistrationWithRecovery() public {
        address recovery = vm.addr(0x5EC0);
        for (uint256 viaRelay = 0; viaRelay < 2; viaRelay++) {
            Key memory owner = viaRelay == 0 ? alice : bob;
            bytes memory signature = _registerSig(registry, owner, recovery, validUntil, _now());
            bytes memory call = abi.encodeCall(
                registry.registerFor, (owner.id, owner.publicKey, validUntil, _now(), recovery, signature)
            );
            vml.recordLogs();
            vm.prank(RELAYER, RELAYER);
            if (viaRelay == 1) {
                relay.forward(address(registry), call);
            } else {
                (bool ok,) = address(registry).call(call);
                vm.assertTrue(ok, "the copy lands");
            }
            LogVm.Log[] memory logs = _logs(IIdentityRegistry.RecoveryKeySet.selector, owner.id);
            vm.assertEq(logs.length, 1, "one RecoveryKeySet log");
            vm.assertEq(_verifyRecoveryKeySet(logs[0], owner.id, validUntil), recovery, "logged recovery key");
            (address stored,,) = registry.recoveryOf(owner.id);
            vm.assertEq(stored, recovery, "stored recovery key");

            // The owner's own submission now fails; nothing changes.
            bytes memory before = _snapshot(owner.id);
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, owner.id));
            registry.registerFor(owner.id, owner.publicKey, validUntil, _now(), recovery, signature);
            _assertUnchanged(owner.id, before);
        }
    }
}
