// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IdentityRegistry} from "../IdentityRegistry.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "../IIdentityRegistry.sol";
import {RegistryLogTestBase, LogVm, vml} from "./RegistryLogTestBase.sol";
import {Relay} from "./Relay.sol";
import {vm} from "./Vm.sol";

/// @notice The recovery key: registration with its commitment, revocation at once, rotation
/// after the delay, cancellation, and every way a thief holding the current key or a replayer
/// might try to stop, shorten, redirect or repeat them.
contract IdentityRegistryRecoveryTest is RegistryLogTestBase {
    Key internal alice;
    Key internal aliceNext; // The key the owner recovers to.
    Key internal thief; // The key a thief of alice's key rotates to.
    Key internal bob;
    RecoveryKey internal recovery;
    uint40 internal validUntil;

    function setUp() public override {
        super.setUp();
        alice = _key(0xA11CE);
        aliceNext = _key(0xA11CE2);
        thief = _key(0x7E1F);
        bob = _key(0xB0B);
        recovery = _recoveryKey(0x5EC0);
        validUntil = _now() + YEAR;
    }

    // ------------------------------------------------------------------ registration

    function test_RegisterFor_WithRecoveryKey() public {
        uint40 signedAt = _now() - 7;
        bytes memory signature = _registerSig(registry, alice, recovery.account, validUntil, signedAt);
        vml.recordLogs();
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRegistered(alice.id, bytes10(alice.id), alice.account, RELAYER, validUntil);
        (bytes32 r, bytes32 vs) = _compact(signature);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.RecoveryKeySet(alice.id, recovery.account, signedAt, r, vs);
        vm.prank(RELAYER);
        registry.registerFor(alice.id, alice.publicKey, validUntil, signedAt, recovery.account, signature);

        _assertRecoveryOf(alice.id, recovery.account, 0, 0);
        LogVm.Log[] memory logs = _logs(IIdentityRegistry.RecoveryKeySet.selector, alice.id);
        vm.assertEq(logs.length, 1, "one RecoveryKeySet log");
        vm.assertEq(_verifyRecoveryKeySet(logs[0], alice.id, validUntil), recovery.account, "verified from the log");
    }

    function test_RegisterFor_WithoutRecoveryKeyStoresNone() public {
        vml.recordLogs();
        _registerRelayed(alice, validUntil);
        _assertRecoveryOf(alice.id, address(0), 0, 0);
        vm.assertEq(_logs(IIdentityRegistry.RecoveryKeySet.selector, alice.id).length, 0, "no RecoveryKeySet");
        _registerSelf(bob, validUntil);
        _assertRecoveryOf(bob.id, address(0), 0, 0);
    }

    /// @dev The recovery key is part of what the owner signs: a relayer can neither add, swap
    /// nor strip it.
    function test_RegisterFor_RecoveryKeyCannotBeChangedByTheRelayer() public {
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);
        bytes memory withRecovery = _registerSig(registry, alice, recovery.account, validUntil, _now());
        bytes memory without = _registerSig(registry, alice, address(0), validUntil, _now());

        vm.expectRevert(err);
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), withRecovery);
        vm.expectRevert(err);
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), thief.account, withRecovery);
        vm.expectRevert(err);
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), thief.account, without);
        _assertStatus(alice.id, IIdentityRegistry.Status.Unknown);
    }

    /// @dev The commitment costs one storage slot and one event: at most 25,000 gas more than a
    /// relayed registration without it (execution measured here, plus the calldata difference
    /// of a non-zero address word: 20 non-zero bytes at 16 gas instead of 4).
    function test_RegisterFor_RecoveryKeyGasBudget() public {
        bytes memory without = _registerSig(registry, alice, address(0), validUntil, _now());
        bytes memory withRecovery = _registerSig(registry, bob, recovery.account, validUntil, _now());
        // Warm the registry's account so neither call pays for it.
        registry.recoveryDelay();

        uint256 gas = gasleft();
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), without);
        uint256 withoutGas = gas - gasleft();
        gas = gasleft();
        registry.registerFor(bob.id, bob.publicKey, validUntil, _now(), recovery.account, withRecovery);
        uint256 withGas = gas - gasleft();
        uint256 calldataExtra = 20 * (16 - 4);
        vm.assertTrue(withGas + calldataExtra <= withoutGas + 25_000, "a recovery key costs more than 25,000 gas");
    }

    // ------------------------------------------------------------------ recoveryRevoke

    function test_RecoveryRevoke_AfterAThiefRotated() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        // The thief holds alice's key and rotates to his own, twice.
        _rotate(alice.id, alice, thief, validUntil);
        _rotate(alice.id, thief, bob, validUntil);

        // The owner's own key can no longer revoke...
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, alice.account));
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);

        // ...but the recovery key can, relayed by anyone.
        bytes memory signature = _recoveryRevokeSig(recovery.privateKey, alice.id);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRevoked(alice.id, 2);
        vm.prank(RELAYER);
        registry.recoveryRevoke(alice.id, signature);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);

        // The thief can do nothing more; a replay is refused as revoked.
        bytes memory before = _snapshot(alice.id);
        _expectRotationRevert(
            bob, thief, alice.id, abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id)
        );
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id));
        registry.recoveryRevoke(alice.id, signature);
        _assertUnchanged(alice.id, before);
    }

    function test_RecoveryRevoke_ExpiredIdentity() public {
        _registerWithRecovery(alice, recovery.account, _now() + 1 days);
        vm.warp(block.timestamp + 2 days);
        _assertStatus(alice.id, IIdentityRegistry.Status.Expired);
        registry.recoveryRevoke(alice.id, _recoveryRevokeSig(recovery.privateKey, alice.id));
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    function test_RecoveryRevoke_Rejections() public {
        bytes memory signature = _recoveryRevokeSig(recovery.privateKey, alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, alice.id));
        registry.recoveryRevoke(alice.id, signature);

        _registerRelayed(bob, validUntil); // No recovery key.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoRecoveryKey.selector, bob.id));
        registry.recoveryRevoke(bob.id, _recoveryRevokeSig(recovery.privateKey, bob.id));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoRecoveryKey.selector, bob.id));
        registry.recoveryRevoke(bob.id, _recoveryRevokeSig(bob.privateKey, bob.id));

        _registerWithRecovery(alice, recovery.account, validUntil);
        bytes memory before = _snapshot(alice.id);
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);
        bytes[4] memory bad = [
            _recoveryRevokeSig(alice.privateKey, alice.id), // The current key is not the recovery key.
            _recoveryRevokeSig(thief.privateKey, alice.id),
            _recoveryRevokeSig(recovery.privateKey, bob.id), // Signed for another identity.
            bytes("")
        ];
        for (uint256 i = 0; i < bad.length; i++) {
            vm.expectRevert(err);
            registry.recoveryRevoke(alice.id, bad[i]);
        }
        // Signed for another deployment.
        IdentityRegistry other = new IdentityRegistry(DELAY);
        bytes32 otherDigest =
            _typedDigest(address(other), keccak256(abi.encode(RECOVERY_REVOKE_TYPEHASH, alice.id)));
        vm.expectRevert(err);
        registry.recoveryRevoke(alice.id, _sign(recovery.privateKey, otherDigest));
        _assertUnchanged(alice.id, before);
    }

    // ------------------------------------------------------------------ recovery rotation

    /// @dev The whole story: a thief rotates to his key; the owner starts a recovery; the thief
    /// keeps rotating; after the delay anyone completes it and the owner holds the identity again.
    function test_Recovery_AfterAThiefRotated() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        _rotate(alice.id, alice, thief, validUntil);

        uint40 startedAt = _now();
        bytes memory startSig = _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, startedAt);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.RecoveryStarted(alice.id, aliceNext.id, startedAt + DELAY, startedAt, startSig);
        vm.prank(RELAYER);
        registry.startRecovery(alice.id, aliceNext.id, startedAt, startSig);
        _assertRecoveryOf(alice.id, recovery.account, aliceNext.id, startedAt + DELAY);

        // The thief rotates again meanwhile; it changes nothing about the recovery.
        vm.warp(block.timestamp + 1 days);
        _rotate(alice.id, thief, bob, validUntil);
        _assertRecoveryOf(alice.id, recovery.account, aliceNext.id, startedAt + DELAY);

        vm.warp(startedAt + DELAY);
        uint40 end = _now() + YEAR;
        bytes memory newSig = _completeRecoverySig(aliceNext, alice.id, end, _now());
        vml.recordLogs();
        vm.prank(RELAYER);
        registry.completeRecovery(alice.id, aliceNext.publicKey, end, _now(), newSig);

        // Key 3 is the owner's; one nonce consumed; the pending entry is gone; history kept.
        _assertLookupBrief(alice.id, aliceNext.publicKey, 3, 4, end);
        _assertRecoveryOf(alice.id, recovery.account, 0, 0);
        (bytes memory retired,,, uint40 retiredAt) = registry.keyByIndex(alice.id, 2);
        vm.assertEq(retired, bob.publicKey, "the thief's last key is archived");
        vm.assertEq(retiredAt, _now(), "retired now");

        // The log alone proves the recovery.
        LogVm.Log[] memory logs = _logs(IIdentityRegistry.KeyRecovered.selector, alice.id);
        vm.assertEq(logs.length, 1, "one KeyRecovered log");
        vm.assertEq(_verifyKeyRecovered(logs[0], alice.id, 3, recovery.account), aliceNext.publicKey, "logged key");

        // The thief's key is powerless; the owner's new key works.
        _expectRotationRevert(
            bob, thief, alice.id, abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id)
        );
        _revokeSelf(alice.id, aliceNext);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    function test_CompleteRecovery_EmitsKeyRecovered() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 startedAt = _now();
        bytes memory startSig = _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, startedAt);
        registry.startRecovery(alice.id, aliceNext.id, startedAt, startSig);
        vm.warp(block.timestamp + DELAY);
        uint40 signedAt = _now() - 3;
        bytes memory newSig = _completeRecoverySig(aliceNext, alice.id, validUntil, signedAt);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.KeyRecovered(
            alice.id, 1, aliceNext.publicKey, validUntil, signedAt, startedAt, startSig, newSig
        );
        registry.completeRecovery(alice.id, aliceNext.publicKey, validUntil, signedAt, newSig);
    }

    /// @dev Not a second early, whatever the delay elapsed; from readyAt on, it completes.
    function testFuzz_CompleteRecovery_NotBeforeTheDelay(uint256 elapsed, uint256 rotations) public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        _rotate(alice.id, alice, thief, validUntil);
        uint40 readyAt = _now() + DELAY;
        registry.startRecovery(
            alice.id, aliceNext.id, _now(), _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, _now())
        );
        uint256 wait = _bound(elapsed, 0, 2 * uint256(DELAY));
        vm.warp(block.timestamp + wait);
        // The thief may rotate any number of times in between.
        for (uint256 i = 0; i < rotations % 3; i++) {
            _rotate(alice.id, i % 2 == 0 ? thief : bob, i % 2 == 0 ? bob : thief, validUntil);
        }
        bytes memory newSig = _completeRecoverySig(aliceNext, alice.id, validUntil, _now());
        if (_now() < readyAt) {
            bytes memory before = _snapshot(alice.id);
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.RecoveryNotReady.selector, alice.id, readyAt));
            registry.completeRecovery(alice.id, aliceNext.publicKey, validUntil, _now(), newSig);
            _assertUnchanged(alice.id, before);
        } else {
            registry.completeRecovery(alice.id, aliceNext.publicKey, validUntil, _now(), newSig);
            vm.assertEq(_currentKey(alice.id), aliceNext.publicKey, "recovered");
        }
    }

    /// @dev Whoever holds the current key cannot cancel, restart or shorten a recovery.
    function test_CurrentKeyCannotCancelOrShorten() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        _rotate(alice.id, alice, thief, validUntil);
        uint40 readyAt = _now() + DELAY;
        registry.startRecovery(
            alice.id, aliceNext.id, _now(), _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, _now())
        );
        vm.warp(block.timestamp + 60);
        bytes memory before = _snapshot(alice.id);
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);

        // Cancel with the current (thief's) key, or with the original key.
        vm.expectRevert(err);
        registry.cancelRecovery(alice.id, _now(), _cancelRecoverySig(thief.privateKey, alice.id, _now()));
        vm.expectRevert(err);
        registry.cancelRecovery(alice.id, _now(), _cancelRecoverySig(alice.privateKey, alice.id, _now()));
        // Replace the pending recovery with one to his own key (which would restart the clock).
        vm.expectRevert(err);
        registry.startRecovery(alice.id, thief.id, _now(), _startRecoverySig(thief.privateKey, alice.id, thief.id, _now()));
        // Complete early, or with his own key.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.RecoveryNotReady.selector, alice.id, readyAt));
        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now())
        );
        vm.warp(readyAt);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.RecoveryKeyMismatch.selector, alice.id, thief.id));
        registry.completeRecovery(
            alice.id, thief.publicKey, validUntil, _now(), _completeRecoverySig(thief, alice.id, validUntil, _now())
        );
        _assertUnchanged(alice.id, before);
        vm.assertEq(_currentKey(alice.id), thief.publicKey, "still the thief's until completed");

        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now())
        );
        vm.assertEq(_currentKey(alice.id), aliceNext.publicKey, "recovered");
    }

    function test_CancelRecovery() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 startedAt = _now();
        registry.startRecovery(
            alice.id, aliceNext.id, startedAt, _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, startedAt)
        );
        vm.warp(block.timestamp + 10);
        bytes memory cancelSig = _cancelRecoverySig(recovery.privateKey, alice.id, _now());
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.RecoveryCancelled(alice.id);
        vm.prank(RELAYER);
        registry.cancelRecovery(alice.id, _now(), cancelSig);
        _assertRecoveryOf(alice.id, recovery.account, 0, 0);

        vm.warp(block.timestamp + DELAY);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, alice.id));
        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now())
        );
        // A replayed cancellation finds nothing to cancel.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, _now() - DELAY, _now()));
        registry.cancelRecovery(alice.id, _now() - DELAY, cancelSig);
        bytes memory fresh = _cancelRecoverySig(recovery.privateKey, alice.id, _now());
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, alice.id));
        registry.cancelRecovery(alice.id, _now(), fresh);
        _assertUnchanged(alice.id, before);
        vm.assertEq(_currentKey(alice.id), alice.publicKey, "the key stays");
    }

    /// @dev Within the freshness window, no recovery signature can be used twice.
    function test_ReplayedRecoverySignatures() public {
        _registerWithRecovery(alice, recovery.account, _now() + 10 * YEAR);
        // A recovery with a one-minute delay so replays fall inside the signatures' freshness window.
        IdentityRegistry quick = new IdentityRegistry(60);
        registry = quick;
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 t0 = _now();
        bytes memory start = _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, t0);
        registry.startRecovery(alice.id, aliceNext.id, t0, start);

        // The same start again while pending.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.RecoveryPending.selector, alice.id, t0 + 60));
        registry.startRecovery(alice.id, aliceNext.id, t0, start);

        // Cancelled, then the start replayed: stale.
        vm.warp(t0 + 1);
        bytes memory cancel = _cancelRecoverySig(recovery.privateKey, alice.id, t0 + 1);
        registry.cancelRecovery(alice.id, t0 + 1, cancel);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleRecovery.selector, alice.id));
        registry.startRecovery(alice.id, aliceNext.id, t0, start);

        // A new start; the old cancellation replayed against it: stale.
        vm.warp(t0 + 2);
        bytes memory start2 = _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, t0 + 2);
        registry.startRecovery(alice.id, aliceNext.id, t0 + 2, start2);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleRecovery.selector, alice.id));
        registry.cancelRecovery(alice.id, t0 + 1, cancel);

        // Completed, then everything replayed.
        vm.warp(t0 + 2 + 60);
        bytes memory complete = _completeRecoverySig(aliceNext, alice.id, validUntil, _now());
        registry.completeRecovery(alice.id, aliceNext.publicKey, validUntil, _now(), complete);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, alice.id));
        registry.completeRecovery(alice.id, aliceNext.publicKey, validUntil, _now(), complete);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleRecovery.selector, alice.id));
        registry.startRecovery(alice.id, aliceNext.id, t0 + 2, start2);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, alice.id));
        registry.cancelRecovery(alice.id, t0 + 1, cancel);
        _assertUnchanged(alice.id, before);

        // Signatures are bound to the deployment and the chain.
        IdentityRegistry other = new IdentityRegistry(60);
        registry = other;
        _registerWithRecovery(alice, recovery.account, validUntil);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.startRecovery(alice.id, aliceNext.id, t0 + 2, start2);
        registry = quick;
        bytes memory revokeHere = _recoveryRevokeSig(recovery.privateKey, alice.id);
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.recoveryRevoke(alice.id, revokeHere);
    }

    function test_StartRecovery_ReplacesOnlyWithALaterSignature() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 t0 = _now();
        registry.startRecovery(alice.id, aliceNext.id, t0, _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, t0));

        // Signed earlier, to another key: stale.
        bytes memory older = _startRecoverySig(recovery.privateKey, alice.id, bob.id, t0 - 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleRecovery.selector, alice.id));
        registry.startRecovery(alice.id, bob.id, t0 - 1, older);

        // Signed later, to another key: replaces it, and the delay runs from now.
        vm.warp(t0 + 100);
        registry.startRecovery(alice.id, bob.id, t0 + 100, _startRecoverySig(recovery.privateKey, alice.id, bob.id, t0 + 100));
        _assertRecoveryOf(alice.id, recovery.account, bob.id, t0 + 100 + DELAY);
        vm.warp(t0 + 100 + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.RecoveryKeyMismatch.selector, alice.id, aliceNext.id));
        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now())
        );
        registry.completeRecovery(alice.id, bob.publicKey, validUntil, _now(), _completeRecoverySig(bob, alice.id, validUntil, _now()));
        vm.assertEq(_currentKey(alice.id), bob.publicKey, "recovered to the later choice");
    }

    function test_Recovery_ExpiredIdentity() public {
        uint40 end = _now() + 1 days;
        _registerWithRecovery(alice, recovery.account, end);
        vm.warp(end + 1);
        _assertStatus(alice.id, IIdentityRegistry.Status.Expired);
        registry.startRecovery(alice.id, aliceNext.id, _now(), _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, _now()));
        vm.warp(block.timestamp + DELAY);
        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil + DELAY, _now(),
            _completeRecoverySig(aliceNext, alice.id, validUntil + DELAY, _now())
        );
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
        vm.assertEq(_currentKey(alice.id), aliceNext.publicKey, "recovered");
    }

    function test_Recovery_Rejections() public {
        bytes32 id = alice.id;
        // Unknown identity.
        bytes memory unknown = abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, id);
        vm.expectRevert(unknown);
        registry.startRecovery(id, aliceNext.id, _now(), _startRecoverySig(recovery.privateKey, id, aliceNext.id, _now()));
        vm.expectRevert(unknown);
        registry.cancelRecovery(id, _now(), _cancelRecoverySig(recovery.privateKey, id, _now()));
        vm.expectRevert(unknown);
        registry.completeRecovery(id, aliceNext.publicKey, validUntil, _now(), new bytes(65));

        // No recovery key.
        _registerSelf(bob, validUntil);
        bytes memory none = abi.encodeWithSelector(IIdentityRegistry.NoRecoveryKey.selector, bob.id);
        vm.expectRevert(none);
        registry.startRecovery(bob.id, aliceNext.id, _now(), _startRecoverySig(bob.privateKey, bob.id, aliceNext.id, _now()));
        vm.expectRevert(none);
        registry.cancelRecovery(bob.id, _now(), _cancelRecoverySig(bob.privateKey, bob.id, _now()));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, bob.id));
        registry.completeRecovery(bob.id, aliceNext.publicKey, validUntil, _now(), new bytes(65));

        _registerWithRecovery(alice, recovery.account, validUntil);
        // Nothing pending.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoPendingRecovery.selector, id));
        registry.cancelRecovery(id, _now(), _cancelRecoverySig(recovery.privateKey, id, _now()));
        // Stale and future timestamps.
        uint40 t = _now();
        uint40 stale = t - uint40(MAX_AGE) - 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, stale, t));
        registry.startRecovery(id, aliceNext.id, stale, _startRecoverySig(recovery.privateKey, id, aliceNext.id, stale));
        uint40 future = t + uint40(MAX_SKEW) + 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, future, t));
        registry.startRecovery(id, aliceNext.id, future, _startRecoverySig(recovery.privateKey, id, aliceNext.id, future));
        // A start signed for another key hash than submitted.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, id));
        registry.startRecovery(id, bob.id, t, _startRecoverySig(recovery.privateKey, id, aliceNext.id, t));

    }

    function test_CompleteRecovery_Rejections() public {
        bytes32 id = alice.id;
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 t = _now();
        registry.startRecovery(id, aliceNext.id, t, _startRecoverySig(recovery.privateKey, id, aliceNext.id, t));
        vm.warp(t + DELAY);
        bytes memory before = _snapshot(id);
        // The new key must sign, for these fields, freshly; its validity end is bounded; it is a point.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, id));
        registry.completeRecovery(id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(bob, id, validUntil, _now()));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, id));
        registry.completeRecovery(
            id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, id, validUntil + 1, _now())
        );
        uint40 old = _now() - uint40(MAX_AGE) - 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, old, _now()));
        registry.completeRecovery(id, aliceNext.publicKey, validUntil, old, _completeRecoverySig(aliceNext, id, validUntil, old));
        uint40 tooFar = _now() + uint40(MAX_VALIDITY) + 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, tooFar, _now() + MAX_VALIDITY));
        registry.completeRecovery(id, aliceNext.publicKey, tooFar, _now(), _completeRecoverySig(aliceNext, id, tooFar, _now()));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKeyLength.selector, 63));
        registry.completeRecovery(id, new bytes(63), validUntil, _now(), new bytes(65));
        _assertUnchanged(id, before);
    }

    /// @dev A recovery may name a key that is not a curve point; completing it is refused.
    function test_CompleteRecovery_RevertsOnAKeyOffTheCurve() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        bytes memory offCurve = abi.encodePacked(uint256(5), uint256(7));
        bytes32 hash = keccak256(offCurve);
        registry.startRecovery(alice.id, hash, _now(), _startRecoverySig(recovery.privateKey, alice.id, hash, _now()));
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKey.selector));
        registry.completeRecovery(alice.id, offCurve, validUntil, _now(), new bytes(65));
    }

    function test_RevokedIdentity_CannotBeRecovered() public {
        _registerWithRecovery(alice, recovery.account, validUntil);
        registry.startRecovery(
            alice.id, aliceNext.id, _now(), _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, _now())
        );
        // The thief revokes (he holds the current key): the identity ends; nothing revives it.
        _revokeSelf(alice.id, alice);
        vm.warp(block.timestamp + DELAY);
        bytes memory before = _snapshot(alice.id);
        bytes memory revoked = abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id);
        vm.expectRevert(revoked);
        registry.completeRecovery(
            alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now())
        );
        vm.expectRevert(revoked);
        registry.startRecovery(alice.id, bob.id, _now(), _startRecoverySig(recovery.privateKey, alice.id, bob.id, _now()));
        vm.expectRevert(revoked);
        registry.cancelRecovery(alice.id, _now(), _cancelRecoverySig(recovery.privateKey, alice.id, _now()));
        vm.expectRevert(revoked);
        registry.recoveryRevoke(alice.id, _recoveryRevokeSig(recovery.privateKey, alice.id));
        _assertUnchanged(alice.id, before);
    }

    /// @dev Every recovery call goes through a relay contract as well as directly.
    function test_Recovery_ThroughARelayContract() public {
        Relay relay = new Relay();
        _registerWithRecovery(alice, recovery.account, validUntil);
        uint40 t = _now();
        relay.forward(
            address(registry),
            abi.encodeCall(
                registry.startRecovery,
                (alice.id, aliceNext.id, t, _startRecoverySig(recovery.privateKey, alice.id, aliceNext.id, t))
            )
        );
        vm.warp(t + DELAY);
        vml.recordLogs();
        relay.forward(
            address(registry),
            abi.encodeCall(
                registry.completeRecovery,
                (alice.id, aliceNext.publicKey, validUntil, _now(), _completeRecoverySig(aliceNext, alice.id, validUntil, _now()))
            )
        );
        LogVm.Log[] memory logs = _logs(IIdentityRegistry.KeyRecovered.selector, alice.id);
        vm.assertEq(_verifyKeyRecovered(logs[0], alice.id, 1, recovery.account), aliceNext.publicKey, "logged key");
        relay.forward(
            address(registry),
            abi.encodeCall(registry.recoveryRevoke, (alice.id, _recoveryRevokeSig(recovery.privateKey, alice.id)))
        );
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Expects a rotation of `id` from `current` to `next`, signed with the identity's
    /// current nonce, to revert with `err`.
    function _expectRotationRevert(Key memory current, Key memory next, bytes32 id, bytes memory err) internal {
        uint32 nonce = _nonce(id);
        bytes32 digest = _rotateDigest(id, next.publicKey, validUntil, _now(), nonce);
        bytes memory currentSig = _sign(current.privateKey, digest);
        bytes memory newSig = _sign(next.privateKey, digest);
        vm.expectRevert(err);
        registry.rotateKey(id, next.publicKey, validUntil, _now(), currentSig, newSig);
    }

    function _assertRecoveryOf(bytes32 id, address expected, bytes32 pendingKeyHash, uint40 readyAt) internal view {
        (address actual, bytes32 actualHash, uint40 actualReadyAt) = registry.recoveryOf(id);
        vm.assertEq(actual, expected, "recovery key");
        vm.assertEq(actualHash, pendingKeyHash, "pending key hash");
        vm.assertEq(actualReadyAt, readyAt, "readyAt");
    }

    function _assertLookupBrief(bytes32 id, bytes memory publicKey, uint32 keyIndex, uint32 nonce, uint40 end)
        internal
        view
    {
        (IIdentityRegistry.Status status, bytes memory key, uint32 index,, uint40 actualEnd,,, uint32 actualNonce) =
            registry.lookup(id);
        vm.assertEq(uint256(status), uint256(IIdentityRegistry.Status.Active), "status");
        vm.assertEq(key, publicKey, "key");
        vm.assertEq(index, keyIndex, "key index");
        vm.assertEq(actualNonce, nonce, "nonce");
        vm.assertEq(actualEnd, end, "validUntil");
    }
}
