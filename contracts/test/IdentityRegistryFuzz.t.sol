// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IdentityRegistry} from "../IdentityRegistry.sol";
import {IIdentityRegistry} from "../IIdentityRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";
import {vm} from "./Vm.sol";

/// @notice Property tests of {IdentityRegistry}: random keys, signatures, timestamps and key histories.
contract IdentityRegistryFuzzTest is RegistryTestBase {
    /// @dev Keys the history test rotates between; fuzzed keys are derived per run instead.
    Key[4] internal pool;

    function setUp() public override {
        super.setUp();
        pool[0] = _key(0x5EED0);
        pool[1] = _key(0x5EED1);
        pool[2] = _key(0x5EED2);
        pool[3] = _key(0x5EED3);
    }

    // ------------------------------------------------------------------ decompression

    /// @dev The registry keeps x and the parity of y; every view must give back the exact 64 bytes.
    function testFuzz_ViewsReturnTheRegisteredKey(uint256 seed, bool relayed) public {
        Key memory key = _key(_privateKey(seed));
        if (relayed) {
            _registerRelayed(key, START + YEAR);
        } else {
            _registerSelf(key, START + YEAR);
        }
        vm.assertEq(_currentKey(key.id), key.publicKey, "lookup");
        (bytes memory byIndex,,,) = registry.keyByIndex(key.id, 0);
        vm.assertEq(byIndex, key.publicKey, "keyByIndex");
        (, bytes memory atTime) = registry.keyAt(key.id, _now());
        vm.assertEq(atTime, key.publicKey, "keyAt");
    }

    /// @dev A rotated-in key and the archived one both come back whole; the current key's
    /// account (derived from the decompressed key) can revoke.
    function testFuzz_RotatedKeysAreReturnedWhole(uint256 seed) public {
        Key memory next = _key(_privateKey(seed));
        _registerSelf(pool[0], START + YEAR);
        _rotate(pool[0].id, pool[0], next, START + YEAR);
        vm.assertEq(_currentKey(pool[0].id), next.publicKey, "current key");
        (bytes memory archived,,,) = registry.keyByIndex(pool[0].id, 0);
        vm.assertEq(archived, pool[0].publicKey, "archived key");

        vm.prank(next.account, next.account);
        registry.revoke(pool[0].id);
        _assertStatus(pool[0].id, IIdentityRegistry.Status.Revoked);
    }

    // ------------------------------------------------------------------ signatures

    function testFuzz_RegisterFor_RejectsSignatureByOtherKey(uint256 ownerSeed, uint256 signerSeed) public {
        Key memory owner = _key(_privateKey(ownerSeed));
        uint256 signer = _privateKey(signerSeed);
        vm.assume(signer != owner.privateKey);
        uint40 end = START + YEAR;

        bytes memory forged = _sign(signer, _registerDigest(owner.id, end, _now(), 0));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, owner.id));
        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), forged);
        _assertStatus(owner.id, IIdentityRegistry.Status.Unknown);

        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), _registerSig(registry, owner, end, _now()));
        _assertStatus(owner.id, IIdentityRegistry.Status.Active);
    }

    /// @dev Changing any bit of a valid signature makes it recover to another account (or to none).
    function testFuzz_RegisterFor_RejectsCorruptedSignature(uint256 position, uint8 mask) public {
        vm.assume(mask != 0);
        Key memory owner = pool[position % 4];
        uint40 end = START + YEAR;
        bytes memory signature = _registerSig(registry, owner, end, _now());
        signature[position % 65] ^= bytes1(mask);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, owner.id));
        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), signature);
        _assertStatus(owner.id, IIdentityRegistry.Status.Unknown);
    }

    /// @dev A signature covers exactly the fields it was made over.
    function testFuzz_RegisterFor_RejectsTamperedFields(
        uint256 signedEndSeed,
        uint256 signedAtSeed,
        uint256 endSeed,
        uint256 atSeed
    ) public {
        Key memory owner = pool[signedEndSeed % 4];
        uint40 signedEnd = uint40(_bound(signedEndSeed, START + 1, START + MAX_VALIDITY));
        uint40 signedAt = uint40(_bound(signedAtSeed, START - MAX_AGE, START + MAX_SKEW));
        // Half the runs change one field only.
        uint40 end = endSeed % 2 == 0 ? signedEnd : uint40(_bound(endSeed, START + 1, START + MAX_VALIDITY));
        uint40 submittedAt = atSeed % 2 == 0 ? signedAt : uint40(_bound(atSeed, START - MAX_AGE, START + MAX_SKEW));
        vm.assume(end != signedEnd || submittedAt != signedAt);

        bytes memory signature = _registerSig(registry, owner, signedEnd, signedAt);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, owner.id));
        registry.registerFor(owner.id, owner.publicKey, end, submittedAt, address(0), signature);

        registry.registerFor(owner.id, owner.publicKey, signedEnd, signedAt, address(0), signature);
        _assertStatus(owner.id, IIdentityRegistry.Status.Active);
    }

    // ------------------------------------------------------------------ replay

    function testFuzz_RegisterFor_ReplayIsRejected(uint256 seed, uint64 otherChainId) public {
        uint256 chainId = block.chainid;
        vm.assume(otherChainId != 0 && otherChainId != chainId);
        Key memory owner = _key(_privateKey(seed));
        uint40 end = START + YEAR;
        bytes memory signature = _registerSig(registry, owner, end, _now());
        bytes memory invalid = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, owner.id);

        // Another chain id.
        vm.chainId(otherChainId);
        vm.expectRevert(invalid);
        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), signature);
        vm.chainId(chainId);

        // Another deployment.
        IdentityRegistry other = new IdentityRegistry(DELAY);
        vm.expectRevert(invalid);
        other.registerFor(owner.id, owner.publicKey, end, _now(), address(0), signature);

        // The same contract, once used.
        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), signature);
        bytes memory before = _snapshot(owner.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, owner.id));
        registry.registerFor(owner.id, owner.publicKey, end, _now(), address(0), signature);
        _assertUnchanged(owner.id, before);
        vm.assertEq(other.keyCount(owner.id), 0, "registered on the other deployment");
    }

    /// @dev Rotating A -> B -> A restores A as the current key, but A's first rotation
    /// signatures were for a consumed nonce.
    function testFuzz_RotateKey_ReplayIsRejected(uint256 seed, uint256 gap) public {
        Key memory a = pool[seed % 4];
        Key memory b = pool[(seed % 4 + 1 + (seed / 4) % 3) % 4]; // Never a.
        uint40 end = START + YEAR;
        _registerSelf(a, end);
        bytes32 digest = _rotateDigest(a.id, b.publicKey, end, _now(), 1);
        bytes memory currentSig = _sign(a.privateKey, digest);
        bytes memory newSig = _sign(b.privateKey, digest);
        registry.rotateKey(a.id, b.publicKey, end, _now(), currentSig, newSig);
        _rotate(a.id, b, a, end);

        vm.warp(block.timestamp + _bound(gap, 0, MAX_AGE));
        bytes memory before = _snapshot(a.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, a.id));
        registry.rotateKey(a.id, b.publicKey, end, START, currentSig, newSig);
        _assertUnchanged(a.id, before);
    }

    // ------------------------------------------------------------------ freshness windows

    function testFuzz_Register_FreshnessWindow(uint256 atSeed, uint256 endSeed, bool relayed) public {
        Key memory owner = pool[atSeed % 4];
        uint40 signedAt = _signedAtNearBoundary(atSeed);
        uint40 end = _validUntilNearBoundary(endSeed);
        bytes memory err = _expectedTimeError(signedAt, end);
        bytes memory signature = _registerSig(registry, owner, end, signedAt);

        if (err.length != 0) vm.expectRevert(err);
        if (relayed) {
            registry.registerFor(owner.id, owner.publicKey, end, signedAt, address(0), signature);
        } else {
            vm.prank(owner.account, owner.account);
            registry.register(owner.id, owner.publicKey, end, signedAt);
        }
        _assertStatus(owner.id, err.length == 0 ? IIdentityRegistry.Status.Active : IIdentityRegistry.Status.Unknown);
    }

    function testFuzz_RotateKey_FreshnessWindow(uint256 atSeed, uint256 endSeed, uint256 elapsed) public {
        Key memory current = pool[atSeed % 4];
        Key memory next = pool[endSeed % 4];
        _registerSelf(current, START + YEAR);
        vm.warp(block.timestamp + _bound(elapsed, 0, 30 days));
        uint40 signedAt = _signedAtNearBoundary(atSeed);
        uint40 end = _validUntilNearBoundary(endSeed);
        bytes memory err = _expectedTimeError(signedAt, end);
        bytes32 digest = _rotateDigest(current.id, next.publicKey, end, signedAt, 1);
        bytes memory before = _snapshot(current.id);

        if (err.length != 0) vm.expectRevert(err);
        registry.rotateKey(
            current.id, next.publicKey, end, signedAt, _sign(current.privateKey, digest), _sign(next.privateKey, digest)
        );
        if (err.length != 0) {
            _assertUnchanged(current.id, before);
        } else {
            vm.assertEq(_currentKey(current.id), next.publicKey, "rotated");
        }
    }

    function testFuzz_RevokeFor_FreshnessWindow(uint256 atSeed, uint256 elapsed) public {
        Key memory owner = pool[atSeed % 4];
        _registerSelf(owner, START + 1 days);
        // Expiry does not matter for revocation.
        vm.warp(block.timestamp + _bound(elapsed, 0, 3 days));
        uint40 signedAt = _signedAtNearBoundary(atSeed);
        bytes memory err = _expectedTimeError(signedAt, _now() + 1); // Revocation signs no validity end.

        if (err.length != 0) vm.expectRevert(err);
        registry.revokeFor(owner.id, signedAt, _revokeSig(owner.privateKey, owner.id, signedAt, 1));
        if (err.length == 0) _assertStatus(owner.id, IIdentityRegistry.Status.Revoked);
        else vm.assertTrue(_status(owner.id) != IIdentityRegistry.Status.Revoked, "revoked");
    }

    // ------------------------------------------------------------------ status and key history

    function testFuzz_StatusOverTime(uint256 lifetime, uint256 probe, bool revoke) public {
        Key memory owner = pool[probe % 4];
        uint40 end = uint40(START + _bound(lifetime, 1, 10 * YEAR));
        _registerSelf(owner, end);
        uint40 revokedAt;
        if (revoke) {
            vm.warp(_bound(probe >> 128, START, START + 11 * YEAR));
            revokedAt = _now();
            vm.prank(owner.account, owner.account);
            registry.revoke(owner.id);
        }
        vm.warp(_bound(probe, block.timestamp, START + 12 * YEAR));
        IIdentityRegistry.Status expected = revoke
            ? IIdentityRegistry.Status.Revoked
            : block.timestamp >= end ? IIdentityRegistry.Status.Expired : IIdentityRegistry.Status.Active;
        _assertStatus(owner.id, expected);
        (,,,,,, uint40 actualRevokedAt,) = registry.lookup(owner.id);
        vm.assertEq(actualRevokedAt, revokedAt, "revokedAt");
    }

    /// @dev Random rotations (sometimes several in one block, sometimes after the current key
    /// expired, which must fail) and maybe a revocation; then keyCount, keyByIndex and keyAt
    /// at random and boundary times must match a simple model.
    function testFuzz_KeyHistory(uint256 seed, uint40[4] memory probes) public {
        Model memory m;
        m.id = pool[0].id;
        m.pool = new uint256[](8);
        m.registeredAt = new uint40[](8);
        m.validUntil = new uint40[](8);
        m.retiredAt = new uint40[](8);

        uint40 end = uint40(START + _bound(_rand(seed, 0), 1, 2000));
        _registerSelf(pool[0], end);
        _push(m, 0, end);

        uint256 steps = _rand(seed, 1) % 8;
        for (uint256 step = 0; step < steps; step++) {
            uint256 r = _rand(seed, 100 + step);
            // A quarter of the steps happen in the same block as the previous one.
            vm.warp(block.timestamp + (r % 4 == 0 ? 0 : _bound(r >> 8, 1, 1500)));
            if ((r >> 32) % 6 == 0) {
                vm.prank(pool[m.pool[m.count - 1]].account, pool[m.pool[m.count - 1]].account);
                registry.revoke(m.id);
                m.revokedAt = _now();
                m.retiredAt[m.count - 1] = _now();
                break;
            }
            uint256 nextKey = (r >> 40) % 4;
            end = uint40(block.timestamp + _bound(r >> 64, 1, 2000));
            if (block.timestamp >= m.validUntil[m.count - 1]) {
                _expectExpiredRotation(m, nextKey, end);
                break;
            }
            _rotate(m.id, pool[m.pool[m.count - 1]], pool[nextKey], end);
            m.retiredAt[m.count - 1] = _now();
            _push(m, nextKey, end);
        }

        _checkKeys(m);
        for (uint256 i = 0; i < probes.length; i++) {
            _checkKeyAt(m, uint40(_bound(probes[i], START - 10, block.timestamp + 2100)));
        }
        for (uint256 i = 0; i < m.count; i++) {
            _checkKeyAt(m, m.registeredAt[i]);
            _checkKeyAt(m, m.registeredAt[i] - 1);
            _checkKeyAt(m, m.validUntil[i]);
            _checkKeyAt(m, m.validUntil[i] - 1);
            if (m.retiredAt[i] != 0) {
                _checkKeyAt(m, m.retiredAt[i]);
                _checkKeyAt(m, m.retiredAt[i] - 1);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    struct Model {
        bytes32 id;
        uint256 count;
        uint256[] pool; // Index into `pool` of key i.
        uint40[] registeredAt;
        uint40[] validUntil;
        uint40[] retiredAt; // 0 while current and not revoked.
        uint40 revokedAt;
    }

    function _push(Model memory m, uint256 poolIndex, uint40 end) private view {
        m.pool[m.count] = poolIndex;
        m.registeredAt[m.count] = _now();
        m.validUntil[m.count] = end;
        m.count++;
    }

    function _expectExpiredRotation(Model memory m, uint256 nextKey, uint40 end) private {
        bytes32 digest = _rotateDigest(m.id, pool[nextKey].publicKey, end, _now(), uint32(m.count));
        bytes memory currentSig = _sign(pool[m.pool[m.count - 1]].privateKey, digest);
        bytes memory newSig = _sign(pool[nextKey].privateKey, digest);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, m.id, m.validUntil[m.count - 1])
        );
        registry.rotateKey(m.id, pool[nextKey].publicKey, end, _now(), currentSig, newSig);
    }

    function _checkKeys(Model memory m) private view {
        vm.assertEq(registry.keyCount(m.id), m.count, "keyCount");
        (,, uint32 keyIndex,,,, uint40 revokedAt, uint32 nonce) = registry.lookup(m.id);
        vm.assertEq(keyIndex, m.count - 1, "keyIndex");
        vm.assertEq(revokedAt, m.revokedAt, "revokedAt");
        vm.assertEq(nonce, m.count, "nonce"); // Registration and each rotation used one.
        for (uint32 i = 0; i < m.count; i++) {
            (bytes memory publicKey, uint40 registeredAt, uint40 validUntil, uint40 retiredAt) =
                registry.keyByIndex(m.id, i);
            vm.assertEq(publicKey, pool[m.pool[i]].publicKey, "keyByIndex key");
            vm.assertEq(registeredAt, m.registeredAt[i], "keyByIndex registeredAt");
            vm.assertEq(validUntil, m.validUntil[i], "keyByIndex validUntil");
            vm.assertEq(retiredAt, m.retiredAt[i], "keyByIndex retiredAt");
        }
    }

    /// @dev keyAt against a linear scan of the model.
    function _checkKeyAt(Model memory m, uint40 time) private {
        for (uint256 i = 0; i < m.count; i++) {
            bool started = m.registeredAt[i] <= time;
            bool retired = m.retiredAt[i] != 0 && time >= m.retiredAt[i];
            if (started && !retired && time < m.validUntil[i]) {
                (uint32 index, bytes memory publicKey) = registry.keyAt(m.id, time);
                vm.assertEq(index, i, "keyAt index");
                vm.assertEq(publicKey, pool[m.pool[i]].publicKey, "keyAt key");
                return;
            }
        }
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoKeyAt.selector, m.id, time));
        registry.keyAt(m.id, time);
    }

    function _rand(uint256 seed, uint256 salt) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }

    /// @dev A signedAt within a few seconds of either edge of the window, or anywhere near it.
    function _signedAtNearBoundary(uint256 seed) private view returns (uint40) {
        uint256 offset = (seed >> 8) % 7; // -3 .. +3 around an edge
        if (seed % 3 == 0) return uint40(block.timestamp - MAX_AGE - 3 + offset);
        if (seed % 3 == 1) return uint40(block.timestamp + MAX_SKEW - 3 + offset);
        return uint40(_bound(seed >> 16, block.timestamp - 2 * MAX_AGE, block.timestamp + 2 * MAX_SKEW));
    }

    /// @dev A validUntil within a few seconds of the block time or of the furthest allowed end
    /// (block time + MAX_VALIDITY), or anywhere from 0 on.
    function _validUntilNearBoundary(uint256 seed) private view returns (uint40) {
        if (seed % 3 == 0) return uint40(block.timestamp - 3 + (seed >> 8) % 7);
        if (seed % 3 == 1) return uint40(block.timestamp + MAX_VALIDITY - 3 + (seed >> 8) % 7);
        return uint40(_bound(seed >> 8, 0, type(uint40).max));
    }

    /// @dev The error the registry must report for these times, or empty: signedAt is checked first.
    function _expectedTimeError(uint40 signedAt, uint40 end) private view returns (bytes memory) {
        uint40 t = _now();
        if (uint256(signedAt) + MAX_AGE < t) {
            return abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, signedAt, t);
        }
        if (signedAt > uint256(t) + MAX_SKEW) {
            return abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, signedAt, t);
        }
        if (end <= t) return abi.encodeWithSelector(IIdentityRegistry.ValidityEndInPast.selector, end, t);
        if (end > uint256(t) + MAX_VALIDITY) {
            return abi.encodeWithSelector(IIdentityRegistry.ValidityEndTooFar.selector, end, t + MAX_VALIDITY);
        }
        return "";
    }
}
