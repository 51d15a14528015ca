// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IdentityRegistry} from "../IdentityRegistry.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "../IIdentityRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";
import {TestSecp256k1} from "./TestSecp256k1.sol";
import {vm} from "./Vm.sol";

/// @notice Example-based tests of every rule of {IdentityRegistry}.
contract IdentityRegistryTest is RegistryTestBase {
    Key internal alice;
    Key internal bob;
    Key internal carol;
    Key internal mallory;
    uint40 internal validUntil;

    function setUp() public override {
        super.setUp();
        alice = _key(0xA11CE);
        bob = _key(0xB0B);
        carol = _key(0xCA401);
        mallory = _key(0xBAD);
        validUntil = _now() + YEAR;
    }

    // ------------------------------------------------------------------ constants and domain

    function test_TypeHashesAndConstants() public view {
        vm.assertEq(registry.REGISTER_TYPEHASH(), REGISTER_TYPEHASH, "REGISTER_TYPEHASH");
        vm.assertEq(registry.ROTATE_KEY_TYPEHASH(), ROTATE_KEY_TYPEHASH, "ROTATE_KEY_TYPEHASH");
        vm.assertEq(registry.REVOKE_TYPEHASH(), REVOKE_TYPEHASH, "REVOKE_TYPEHASH");
        vm.assertEq(registry.MAX_SIGNATURE_AGE(), 3600, "MAX_SIGNATURE_AGE");
        vm.assertEq(registry.MAX_CLOCK_SKEW(), 300, "MAX_CLOCK_SKEW");
    }

    function test_DomainSeparator() public view {
        vm.assertEq(registry.domainSeparator(), _domainSeparator(address(registry)), "domain separator");
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            registry.eip712Domain();
        vm.assertEq(bytes(name), bytes("peerkey IdentityRegistry"), "name");
        vm.assertEq(bytes(version), bytes("2"), "version");
        vm.assertEq(chainId, block.chainid, "chain id");
        vm.assertEq(verifyingContract, address(registry), "verifying contract");
    }

    function test_DomainSeparatorFollowsChainId() public {
        bytes32 before = registry.domainSeparator();
        vm.chainId(block.chainid + 1);
        vm.assertTrue(registry.domainSeparator() != before, "domain separator ignores the chain id");
        vm.assertEq(registry.domainSeparator(), _domainSeparator(address(registry)), "domain separator");
    }

    /// @dev The test-only key derivation against known multiples of G.
    function test_TestKeyDerivationKnownVectors() public view {
        vm.assertEq(
            TestSecp256k1.publicKey(1),
            abi.encodePacked(TestSecp256k1.GX, TestSecp256k1.GY),
            "1 * G"
        );
        vm.assertEq(
            TestSecp256k1.publicKey(2),
            hex"c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
            hex"1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a",
            "2 * G"
        );
        vm.assertEq(
            TestSecp256k1.publicKey(TestSecp256k1.N - 1),
            abi.encodePacked(TestSecp256k1.GX, TestSecp256k1.P - TestSecp256k1.GY),
            "(N - 1) * G"
        );
        // Both parities of y occur among the fixed keys, so decompression is tested for both.
        vm.assertEq(uint8(alice.publicKey[63]) & 1, 0, "alice's y is even");
        vm.assertEq(uint8(bob.publicKey[63]) & 1, 1, "bob's y is odd");
    }

    // ------------------------------------------------------------------ register

    function test_Register_SelfSent() public {
        uint40 signedAt = _now() - 10;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRegistered(alice.id, bytes10(alice.id), alice.account, alice.account, validUntil);
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, validUntil, signedAt);

        _assertLookup(alice.id, IIdentityRegistry.Status.Active, alice.publicKey, 0, _now(), validUntil, signedAt, 0, 1);
        vm.assertEq(registry.keyCount(alice.id), 1, "key count");
        _assertKeyByIndex(alice.id, 0, alice.publicKey, _now(), validUntil, 0);
    }

    function test_RegisterFor_Relayed() public {
        uint40 signedAt = _now() + 60; // The owner's clock may run a little ahead.
        bytes memory signature = _registerSig(registry, bob, validUntil, signedAt);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRegistered(bob.id, bytes10(bob.id), bob.account, RELAYER, validUntil);
        vm.prank(RELAYER);
        registry.registerFor(bob.id, bob.publicKey, validUntil, signedAt, address(0), signature);

        _assertLookup(bob.id, IIdentityRegistry.Status.Active, bob.publicKey, 0, _now(), validUntil, signedAt, 0, 1);
        vm.assertEq(registry.keyCount(bob.id), 1, "key count");
        _assertKeyByIndex(bob.id, 0, bob.publicKey, _now(), validUntil, 0);
    }

    function test_Register_RevertsOnWrongKeyLength() public {
        bytes memory before = _snapshot(alice.id);
        uint256[4] memory lengths = [uint256(0), 33, 63, 65];
        for (uint256 i = 0; i < lengths.length; i++) {
            bytes memory publicKey = new bytes(lengths[i]);
            for (uint256 j = 0; j < publicKey.length && j < 64; j++) {
                publicKey[j] = alice.publicKey[j];
            }
            bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKeyLength.selector, lengths[i]);

            vm.expectRevert(err);
            vm.prank(alice.account, alice.account);
            registry.register(alice.id, publicKey, validUntil, _now());

            bytes memory signature = _registerSig(registry, alice, validUntil, _now());
            vm.expectRevert(err);
            registry.registerFor(alice.id, publicKey, validUntil, _now(), address(0), signature);
        }
        _assertUnchanged(alice.id, before);
    }

    function test_Register_RevertsOnKeyMismatch() public {
        bytes memory before = _snapshot(alice.id);
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.PublicKeyMismatch.selector, alice.id, bob.id);

        vm.expectRevert(err);
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, bob.publicKey, validUntil, _now());

        bytes memory signature = _registerSig(registry, alice, validUntil, _now());
        vm.expectRevert(err);
        registry.registerFor(alice.id, bob.publicKey, validUntil, _now(), address(0), signature);

        _assertUnchanged(alice.id, before);
        _assertUnchanged(bob.id, before);
    }

    function test_Register_RevertsWhenSenderIsNotKeyOwner() public {
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, bob.account));
        vm.prank(bob.account, bob.account);
        registry.register(alice.id, alice.publicKey, validUntil, _now());

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, RELAYER));
        vm.prank(RELAYER);
        registry.register(alice.id, alice.publicKey, validUntil, _now());
        _assertUnchanged(alice.id, before);
    }

    function test_Register_RevertsWhenAlreadyRegistered() public {
        _registerSelf(alice, validUntil);
        _registerRelayed(bob, validUntil);
        bytes memory aliceBefore = _snapshot(alice.id);
        bytes memory bobBefore = _snapshot(bob.id);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, alice.id));
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, validUntil + 1, _now());

        bytes memory signature = _registerSig(registry, alice, validUntil + 1, _now());
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, alice.id));
        registry.registerFor(alice.id, alice.publicKey, validUntil + 1, _now(), address(0), signature);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, bob.id));
        vm.prank(bob.account, bob.account);
        registry.register(bob.id, bob.publicKey, validUntil, _now());

        _assertUnchanged(alice.id, aliceBefore);
        _assertUnchanged(bob.id, bobBefore);
    }

    function test_RegisterFor_RevertsOnSignatureByOtherKey() public {
        bytes memory before = _snapshot(alice.id);
        bytes memory signature = _sign(mallory.privateKey, _registerDigest(alice.id, validUntil, _now(), 0));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);
        _assertUnchanged(alice.id, before);
    }

    function test_RegisterFor_RevertsOnTamperedMessage() public {
        bytes memory before = _snapshot(alice.id);
        uint40 signedAt = _now();
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);

        // Signed with another validity end, timestamp, nonce or ID than submitted.
        bytes[4] memory signatures = [
            _sign(alice.privateKey, _registerDigest(alice.id, validUntil + 1, signedAt, 0)),
            _sign(alice.privateKey, _registerDigest(alice.id, validUntil, signedAt - 1, 0)),
            _sign(alice.privateKey, _registerDigest(alice.id, validUntil, signedAt, 1)),
            _sign(alice.privateKey, _registerDigest(bob.id, validUntil, signedAt, 0))
        ];
        for (uint256 i = 0; i < signatures.length; i++) {
            vm.expectRevert(err);
            registry.registerFor(alice.id, alice.publicKey, validUntil, signedAt, address(0), signatures[i]);
        }
        // Signed as another primary type with the same fields.
        bytes32 wrongType = keccak256(
            abi.encode(keccak256("Register(bytes32 id,uint40 validUntil,uint40 signedAt)"), alice.id, validUntil, signedAt)
        );
        vm.expectRevert(err);
        registry.registerFor(
            alice.id, alice.publicKey, validUntil, signedAt, address(0), _sign(alice.privateKey, _typedDigest(address(registry), wrongType))
        );
        _assertUnchanged(alice.id, before);
    }

    function test_RegisterFor_RevertsOnMalformedSignature() public {
        bytes memory before = _snapshot(alice.id);
        bytes32 digest = _registerDigest(alice.id, validUntil, _now(), 0);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alice.privateKey, digest);

        // The high-s twin of a valid signature recovers to the same account with ecrecover,
        // and still must be rejected (EIP-2 malleability).
        uint8 flippedV = v == 27 ? 28 : 27;
        bytes32 highS = bytes32(TestSecp256k1.N - uint256(s));
        vm.assertEq(ecrecover(digest, flippedV, r, highS), alice.account, "malleated signature recovers");

        bytes[9] memory bad = [
            bytes(""),
            abi.encodePacked(r, s), // 64 bytes (EIP-2098 form is not accepted)
            abi.encodePacked(r, s, v, uint8(0)), // 66 bytes
            abi.encodePacked(r, s, uint8(0)),
            abi.encodePacked(r, s, uint8(1)),
            abi.encodePacked(r, s, uint8(29)),
            abi.encodePacked(bytes32(0), s, v),
            abi.encodePacked(r, bytes32(0), v),
            abi.encodePacked(r, highS, flippedV)
        ];
        for (uint256 i = 0; i < bad.length; i++) {
            vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
            registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), bad[i]);
        }
        _assertUnchanged(alice.id, before);

        // The well-formed original is accepted.
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), abi.encodePacked(r, s, v));
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
    }

    function test_RegisterFor_ReplayOnSameContract() public {
        bytes memory signature = _registerSig(registry, alice, validUntil, _now());
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);
        bytes memory before = _snapshot(alice.id);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, alice.id));
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);
        _assertUnchanged(alice.id, before);
    }

    function test_RegisterFor_ReplayOnOtherDeployment() public {
        IdentityRegistry other = new IdentityRegistry(DELAY);
        bytes memory signature = _registerSig(registry, alice, validUntil, _now());
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        other.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);
        vm.assertEq(other.keyCount(alice.id), 0, "replayed on another deployment");

        // A signature made for the other deployment works there.
        other.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), _registerSig(other, alice, validUntil, _now()));
        vm.assertEq(other.keyCount(alice.id), 1, "registered on the other deployment");
    }

    function test_RegisterFor_ReplayOnOtherChain() public {
        bytes memory signature = _registerSig(registry, alice, validUntil, _now());
        bytes memory before = _snapshot(alice.id);
        vm.chainId(block.chainid + 1);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), signature);
        _assertUnchanged(alice.id, before);

        // Signed for the chain it is submitted on, it works.
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), _registerSig(registry, alice, validUntil, _now()));
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
    }

    function test_Register_FreshnessWindow() public {
        uint40 t = _now();
        // Just inside the window on both sides.
        _expectRegisterResult(alice, false, t - uint40(MAX_AGE), "");
        _expectRegisterResult(bob, true, t + uint40(MAX_SKEW), "");
        // Just outside.
        _expectRegisterResult(
            carol, false, t - uint40(MAX_AGE) - 1, abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, t - MAX_AGE - 1, t)
        );
        _expectRegisterResult(
            carol, false, t + uint40(MAX_SKEW) + 1, abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, t + MAX_SKEW + 1, t)
        );
        _expectRegisterResult(carol, false, 0, abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, 0, t));
    }

    function test_Register_FreshnessWindowNearTimestampZero() public {
        vm.warp(100);
        // block.timestamp - MAX_SIGNATURE_AGE would underflow here; a zero timestamp is fresh.
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, 101, 0);
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
    }

    function test_Register_RevertsOnValidityEndInPast() public {
        bytes memory before = _snapshot(alice.id);
        uint40 t = _now();
        uint40[3] memory ends = [t, t - 1, 0];
        for (uint256 i = 0; i < ends.length; i++) {
            bytes memory err = abi.encodeWithSelector(IIdentityRegistry.ValidityEndInPast.selector, ends[i], t);
            vm.expectRevert(err);
            vm.prank(alice.account, alice.account);
            registry.register(alice.id, alice.publicKey, ends[i], t);

            bytes memory signature = _registerSig(registry, alice, ends[i], t);
            vm.expectRevert(err);
            registry.registerFor(alice.id, alice.publicKey, ends[i], t, address(0), signature);
        }
        _assertUnchanged(alice.id, before);

        // One second after the block time is enough; the key expires a second later.
        _registerSelf(alice, t + 1);
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
        vm.warp(t + 1);
        _assertStatus(alice.id, IIdentityRegistry.Status.Expired);
    }

    // ------------------------------------------------------------------ rotateKey

    function test_RotateKey() public {
        _registerSelf(alice, validUntil);
        uint40 registeredAt = _now();
        vm.warp(block.timestamp + 1 days);
        uint40 newValidUntil = _now() + 30 days;
        uint40 signedAt = _now() - 5;
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, newValidUntil, signedAt, 1);
        bytes memory currentSig = _sign(alice.privateKey, digest);
        bytes memory newSig = _sign(bob.privateKey, digest);

        // The event carries everything needed to check the rotation without the transaction.
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.KeyRotated(alice.id, 1, bob.publicKey, newValidUntil, signedAt, 1, currentSig, newSig);
        vm.prank(RELAYER);
        registry.rotateKey(alice.id, bob.publicKey, newValidUntil, signedAt, currentSig, newSig);

        // The ID stays; the new key is current with its own timestamps; the old one is archived.
        _assertLookup(alice.id, IIdentityRegistry.Status.Active, bob.publicKey, 1, _now(), newValidUntil, signedAt, 0, 2);
        vm.assertEq(registry.keyCount(alice.id), 2, "key count");
        _assertKeyByIndex(alice.id, 0, alice.publicKey, registeredAt, validUntil, _now());
        _assertKeyByIndex(alice.id, 1, bob.publicKey, _now(), newValidUntil, 0);
        _assertStatus(bob.id, IIdentityRegistry.Status.Unknown);
    }

    function test_RotateKey_NewKeyTakesOver() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);

        // The old key can neither revoke nor rotate any more.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, alice.account));
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);

        bytes32 digest = _rotateDigest(alice.id, carol.publicKey, validUntil, _now(), 2);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.rotateKey(
            alice.id, carol.publicKey, validUntil, _now(), _sign(alice.privateKey, digest), _sign(carol.privateKey, digest)
        );

        // The new key can.
        _rotate(alice.id, bob, carol, validUntil);
        vm.assertEq(_currentKey(alice.id), carol.publicKey, "current key");
        vm.prank(carol.account, carol.account);
        registry.revoke(alice.id);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    function test_RotateKey_BackToAnEarlierKey() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);
        _rotate(alice.id, bob, alice, validUntil);
        vm.assertEq(_currentKey(alice.id), alice.publicKey, "current key");
        vm.assertEq(registry.keyCount(alice.id), 3, "key count");
        vm.assertEq(_nonce(alice.id), 3, "nonce");
    }

    function test_RotateKey_RevertsOnUnknownIdentity() public {
        bytes memory before = _snapshot(alice.id);
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, validUntil, _now(), 0);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, alice.id));
        registry.rotateKey(
            alice.id, bob.publicKey, validUntil, _now(), _sign(alice.privateKey, digest), _sign(bob.privateKey, digest)
        );
        _assertUnchanged(alice.id, before);
    }

    function test_RotateKey_RevertsOnExpiredIdentity() public {
        uint40 end = _now() + 1 days;
        _registerSelf(alice, end);
        vm.warp(end);
        bytes memory before = _snapshot(alice.id);
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, end + YEAR, _now(), 1);
        bytes memory currentSig = _sign(alice.privateKey, digest);
        bytes memory newSig = _sign(bob.privateKey, digest);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, alice.id, end));
        registry.rotateKey(alice.id, bob.publicKey, end + YEAR, _now(), currentSig, newSig);
        _assertUnchanged(alice.id, before);

        // A second earlier the same rotation goes through.
        vm.warp(end - 1);
        registry.rotateKey(alice.id, bob.publicKey, end + YEAR, _now() + 1, currentSig, newSig);
        vm.assertEq(_currentKey(alice.id), bob.publicKey, "rotated just before expiry");
    }

    function test_RotateKey_RevertsOnWrongKeyLength() public {
        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        bytes memory shortKey = new bytes(63);
        bytes32 digest = _rotateDigest(alice.id, shortKey, validUntil, _now(), 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidPublicKeyLength.selector, 63));
        registry.rotateKey(alice.id, shortKey, validUntil, _now(), _sign(alice.privateKey, digest), _sign(bob.privateKey, digest));
        _assertUnchanged(alice.id, before);
    }

    function test_RotateKey_FreshnessWindow() public {
        _registerSelf(alice, validUntil);
        uint40 t = _now();
        _expectRotateResult(
            t - uint40(MAX_AGE) - 1, validUntil, abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, t - MAX_AGE - 1, t)
        );
        _expectRotateResult(
            t + uint40(MAX_SKEW) + 1, validUntil, abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, t + MAX_SKEW + 1, t)
        );
        _expectRotateResult(t, t, abi.encodeWithSelector(IIdentityRegistry.ValidityEndInPast.selector, t, t));
        _expectRotateResult(t, t - 1, abi.encodeWithSelector(IIdentityRegistry.ValidityEndInPast.selector, t - 1, t));
        _expectRotateResult(t - uint40(MAX_AGE), t + 1, "");
        _expectRotateResult(t + uint40(MAX_SKEW), validUntil, "");
    }

    function test_RotateKey_RevertsOnSignatureByNonOwner() public {
        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, validUntil, _now(), 1);
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);

        // Mallory cannot move alice's identity to a key of her own.
        bytes32 malloryDigest = _rotateDigest(alice.id, mallory.publicKey, validUntil, _now(), 1);
        vm.expectRevert(err);
        registry.rotateKey(
            alice.id, mallory.publicKey, validUntil, _now(), _sign(mallory.privateKey, malloryDigest), _sign(mallory.privateKey, malloryDigest)
        );
        // Nor can the new key be given without its owner's signature.
        vm.expectRevert(err);
        registry.rotateKey(
            alice.id, bob.publicKey, validUntil, _now(), _sign(alice.privateKey, digest), _sign(mallory.privateKey, digest)
        );
        // Signatures in the wrong order.
        vm.expectRevert(err);
        registry.rotateKey(
            alice.id, bob.publicKey, validUntil, _now(), _sign(bob.privateKey, digest), _sign(alice.privateKey, digest)
        );
        // A malformed signature.
        vm.expectRevert(err);
        registry.rotateKey(alice.id, bob.publicKey, validUntil, _now(), "", _sign(bob.privateKey, digest));
        // A rotation signed for another validity end.
        vm.expectRevert(err);
        registry.rotateKey(
            alice.id, bob.publicKey, validUntil - 1, _now(), _sign(alice.privateKey, digest), _sign(bob.privateKey, digest)
        );
        _assertUnchanged(alice.id, before);
    }

    function test_RotateKey_RevertsOnReplayedSignatures() public {
        _registerSelf(alice, validUntil);
        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, validUntil, _now(), 1);
        bytes memory currentSig = _sign(alice.privateKey, digest);
        bytes memory newSig = _sign(bob.privateKey, digest);
        registry.rotateKey(alice.id, bob.publicKey, validUntil, _now(), currentSig, newSig);
        _rotate(alice.id, bob, alice, validUntil);
        bytes memory before = _snapshot(alice.id);

        // Alice's key is current again, but nonce 1 is consumed.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.rotateKey(alice.id, bob.publicKey, validUntil, _now(), currentSig, newSig);
        _assertUnchanged(alice.id, before);
    }

    // ------------------------------------------------------------------ revoke and revokeFor

    function test_Revoke_SelfSent() public {
        _registerSelf(alice, validUntil);
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRevoked(alice.id, 0);
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);

        // The key stays readable; a self-sent revocation signs nothing, so the nonce stays.
        _assertLookup(
            alice.id, IIdentityRegistry.Status.Revoked, alice.publicKey, 0, START, validUntil, START, _now(), 1
        );
        _assertKeyByIndex(alice.id, 0, alice.publicKey, START, validUntil, _now());
    }

    function test_RevokeFor_Relayed() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);
        vm.warp(block.timestamp + 1 hours);
        uint40 signedAt = _now() - 30;
        bytes memory signature = _revokeSig(bob.privateKey, alice.id, signedAt, 2);

        vm.expectEmit(true, true, true, true, address(registry));
        emit IIdentityRegistry.IdentityRevoked(alice.id, 1);
        vm.prank(RELAYER);
        registry.revokeFor(alice.id, signedAt, signature);

        _assertLookup(alice.id, IIdentityRegistry.Status.Revoked, bob.publicKey, 1, START, validUntil, START, _now(), 3);
        _assertKeyByIndex(alice.id, 1, bob.publicKey, START, validUntil, _now());
    }

    function test_Revoke_RevertsForNonOwner() public {
        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, mallory.account));
        vm.prank(mallory.account, mallory.account);
        registry.revoke(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotKeyOwner.selector, alice.id, RELAYER));
        vm.prank(RELAYER);
        registry.revoke(alice.id);
        _assertUnchanged(alice.id, before);
    }

    function test_RevokeFor_RevertsOnSignatureByNonOwner() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);
        bytes memory before = _snapshot(alice.id);
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id);
        bytes[6] memory bad = [
            _revokeSig(mallory.privateKey, alice.id, _now(), 2),
            _revokeSig(alice.privateKey, alice.id, _now(), 2), // The retired key.
            _revokeSig(bob.privateKey, alice.id, _now(), 1), // A consumed nonce.
            _revokeSig(bob.privateKey, alice.id, _now(), 3), // A future nonce.
            _revokeSig(bob.privateKey, alice.id, _now() - 1, 2), // Another timestamp.
            bytes("")
        ];
        for (uint256 i = 0; i < bad.length; i++) {
            vm.expectRevert(err);
            registry.revokeFor(alice.id, _now(), bad[i]);
        }
        _assertUnchanged(alice.id, before);
    }

    function test_RevokeFor_RevertsOnStaleSignatureAfterRotation() public {
        _registerSelf(alice, validUntil);
        bytes memory signature = _revokeSig(alice.privateKey, alice.id, _now(), 1);
        _rotate(alice.id, alice, bob, validUntil);
        _rotate(alice.id, bob, alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        // Alice's key is current again, but the revocation was signed for nonce 1.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        registry.revokeFor(alice.id, _now(), signature);
        _assertUnchanged(alice.id, before);
    }

    function test_RevokeFor_FreshnessWindow() public {
        _registerSelf(alice, validUntil);
        bytes memory before = _snapshot(alice.id);
        uint40 t = _now();
        uint40 stale = t - uint40(MAX_AGE) - 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, stale, t));
        registry.revokeFor(alice.id, stale, _revokeSig(alice.privateKey, alice.id, stale, 1));
        uint40 future = t + uint40(MAX_SKEW) + 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, future, t));
        registry.revokeFor(alice.id, future, _revokeSig(alice.privateKey, alice.id, future, 1));
        _assertUnchanged(alice.id, before);

        uint40 oldest = t - uint40(MAX_AGE);
        registry.revokeFor(alice.id, oldest, _revokeSig(alice.privateKey, alice.id, oldest, 1));
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    function test_Revoke_RevertsOnUnknownIdentity() public {
        bytes memory err = abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, alice.id);
        vm.expectRevert(err);
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);
        bytes memory signature = _revokeSig(alice.privateKey, alice.id, _now(), 0);
        vm.expectRevert(err);
        registry.revokeFor(alice.id, _now(), signature);
        _assertStatus(alice.id, IIdentityRegistry.Status.Unknown);
    }

    function test_Revoke_ExpiredIdentity() public {
        uint40 end = _now() + 1 days;
        _registerSelf(alice, end);
        _registerSelf(bob, end);
        vm.warp(end + 1 days);
        _assertStatus(alice.id, IIdentityRegistry.Status.Expired);

        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);

        registry.revokeFor(bob.id, _now(), _revokeSig(bob.privateKey, bob.id, _now(), 1));
        _assertStatus(bob.id, IIdentityRegistry.Status.Revoked);
    }

    function test_RevokedIdentity_RejectsEveryAction() public {
        _registerSelf(alice, validUntil);
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);
        bytes memory before = _snapshot(alice.id);
        bytes memory revoked = abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id);
        bytes memory registered = abi.encodeWithSelector(IIdentityRegistry.AlreadyRegistered.selector, alice.id);

        vm.expectRevert(registered);
        vm.prank(alice.account, alice.account);
        registry.register(alice.id, alice.publicKey, validUntil, _now());

        bytes memory registerSig = _registerSig(registry, alice, validUntil, _now());
        vm.expectRevert(registered);
        registry.registerFor(alice.id, alice.publicKey, validUntil, _now(), address(0), registerSig);

        bytes32 digest = _rotateDigest(alice.id, bob.publicKey, validUntil, _now(), 1);
        bytes memory currentSig = _sign(alice.privateKey, digest);
        bytes memory newSig = _sign(bob.privateKey, digest);
        vm.expectRevert(revoked);
        registry.rotateKey(alice.id, bob.publicKey, validUntil, _now(), currentSig, newSig);

        vm.expectRevert(revoked);
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);

        bytes memory revokeSig = _revokeSig(alice.privateKey, alice.id, _now(), 1);
        vm.expectRevert(revoked);
        registry.revokeFor(alice.id, _now(), revokeSig);

        _assertUnchanged(alice.id, before);
    }

    function test_RevokeFor_Replay() public {
        _registerSelf(alice, validUntil);
        bytes memory signature = _revokeSig(alice.privateKey, alice.id, _now(), 1);
        registry.revokeFor(alice.id, _now(), signature);
        bytes memory before = _snapshot(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id));
        registry.revokeFor(alice.id, _now(), signature);
        _assertUnchanged(alice.id, before);
    }

    // ------------------------------------------------------------------ lookup and key history

    function test_Lookup_UnknownIdentity() public {
        _assertLookup(alice.id, IIdentityRegistry.Status.Unknown, "", 0, 0, 0, 0, 0, 0);
        vm.assertEq(registry.keyCount(alice.id), 0, "key count");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, alice.id));
        registry.keyByIndex(alice.id, 0);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, alice.id));
        registry.keyAt(alice.id, _now());
    }

    function test_Lookup_StatusOverTime() public {
        _registerSelf(alice, validUntil);
        vm.warp(validUntil - 1);
        _assertStatus(alice.id, IIdentityRegistry.Status.Active);
        vm.warp(validUntil);
        _assertStatus(alice.id, IIdentityRegistry.Status.Expired);
        vm.prank(alice.account, alice.account);
        registry.revoke(alice.id);
        _assertStatus(alice.id, IIdentityRegistry.Status.Revoked);
    }

    function test_Lookup_ReturnsKeysOfBothParities() public {
        Key[] memory keys = new Key[](4);
        (keys[0], keys[1], keys[2], keys[3]) = (alice, bob, carol, mallory);
        for (uint256 i = 0; i < keys.length; i++) {
            _registerRelayed(keys[i], validUntil);
            vm.assertEq(_currentKey(keys[i].id), keys[i].publicKey, "decompressed key");
        }
    }

    function test_KeyByIndex_RevertsOutOfRange() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.KeyIndexOutOfRange.selector, alice.id, 2));
        registry.keyByIndex(alice.id, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.KeyIndexOutOfRange.selector, alice.id, type(uint32).max)
        );
        registry.keyByIndex(alice.id, type(uint32).max);
    }

    function test_KeyAt_History() public {
        uint40 t0 = _now();
        _registerSelf(alice, t0 + 1000);
        vm.warp(t0 + 100);
        _rotate(alice.id, alice, bob, t0 + 300);
        vm.warp(t0 + 250);
        _rotate(alice.id, bob, carol, t0 + 10_000);
        vm.warp(t0 + 500);
        vm.prank(carol.account, carol.account);
        registry.revoke(alice.id);

        _assertNoKeyAt(alice.id, 0);
        _assertNoKeyAt(alice.id, t0 - 1);
        _assertKeyAt(alice.id, t0, 0, alice.publicKey);
        _assertKeyAt(alice.id, t0 + 99, 0, alice.publicKey);
        _assertKeyAt(alice.id, t0 + 100, 1, bob.publicKey);
        _assertKeyAt(alice.id, t0 + 249, 1, bob.publicKey);
        _assertKeyAt(alice.id, t0 + 250, 2, carol.publicKey);
        _assertKeyAt(alice.id, t0 + 499, 2, carol.publicKey);
        _assertNoKeyAt(alice.id, t0 + 500); // Revoked.
        _assertNoKeyAt(alice.id, t0 + 10_000);
        _assertNoKeyAt(alice.id, type(uint40).max);
    }

    function test_KeyAt_EndsAtValidityEnd() public {
        uint40 t0 = _now();
        _registerSelf(alice, t0 + 1000);
        _assertKeyAt(alice.id, t0 + 999, 0, alice.publicKey);
        _assertNoKeyAt(alice.id, t0 + 1000);
        // Asked about the future, it answers for the key as it stands.
        vm.warp(t0 + 2000);
        _assertKeyAt(alice.id, t0 + 500, 0, alice.publicKey);
    }

    function test_KeyAt_RotationsInOneBlock() public {
        _registerSelf(alice, validUntil);
        _rotate(alice.id, alice, bob, validUntil);
        _rotate(alice.id, bob, carol, validUntil);
        // Keys 0 and 1 were in force for no time at all.
        _assertKeyAt(alice.id, START, 2, carol.publicKey);
        _assertKeyByIndex(alice.id, 0, alice.publicKey, START, validUntil, START);
        _assertKeyByIndex(alice.id, 1, bob.publicKey, START, validUntil, START);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev With a non-empty `err`, registering `key` with `signedAt` must revert with it both
    /// self-sent and relayed; with an empty one, registering it (relayed or not) must succeed.
    function _expectRegisterResult(Key memory key, bool relayed, uint40 signedAt, bytes memory err) internal {
        bytes memory signature = _registerSig(registry, key, validUntil, signedAt);
        bytes memory before = _snapshot(key.id);
        if (err.length != 0) {
            vm.expectRevert(err);
            vm.prank(key.account, key.account);
            registry.register(key.id, key.publicKey, validUntil, signedAt);
            vm.expectRevert(err);
            registry.registerFor(key.id, key.publicKey, validUntil, signedAt, address(0), signature);
            _assertUnchanged(key.id, before);
            return;
        }
        if (relayed) {
            registry.registerFor(key.id, key.publicKey, validUntil, signedAt, address(0), signature);
        } else {
            vm.prank(key.account, key.account);
            registry.register(key.id, key.publicKey, validUntil, signedAt);
        }
        (,,,,, uint40 storedSignedAt,,) = registry.lookup(key.id);
        vm.assertEq(storedSignedAt, signedAt, "signedAt stored");
    }

    /// @dev Rotates alice's identity to bob's key with these times; empty `err` means it must succeed.
    function _expectRotateResult(uint40 signedAt, uint40 end, bytes memory err) internal {
        uint32 nonce = _nonce(alice.id);
        Key memory current = nonce % 2 == 1 ? alice : bob;
        Key memory next = nonce % 2 == 1 ? bob : alice;
        bytes32 digest = _rotateDigest(alice.id, next.publicKey, end, signedAt, nonce);
        bytes memory currentSig = _sign(current.privateKey, digest);
        bytes memory newSig = _sign(next.privateKey, digest);
        bytes memory before = _snapshot(alice.id);
        if (err.length != 0) {
            vm.expectRevert(err);
            registry.rotateKey(alice.id, next.publicKey, end, signedAt, currentSig, newSig);
            _assertUnchanged(alice.id, before);
        } else {
            registry.rotateKey(alice.id, next.publicKey, end, signedAt, currentSig, newSig);
            vm.assertEq(_currentKey(alice.id), next.publicKey, "rotated");
        }
    }

    function _assertLookup(
        bytes32 id,
        IIdentityRegistry.Status status,
        bytes memory publicKey,
        uint32 keyIndex,
        uint40 registeredAt,
        uint40 end,
        uint40 signedAt,
        uint40 revokedAt,
        uint32 nonce
    ) internal view {
        vm.assertEq(
            _lookupEncoded(id),
            abi.encode(status, publicKey, keyIndex, registeredAt, end, signedAt, revokedAt, nonce),
            "lookup"
        );
    }

    function _assertKeyByIndex(
        bytes32 id,
        uint32 index,
        bytes memory publicKey,
        uint40 registeredAt,
        uint40 end,
        uint40 retiredAt
    ) internal view {
        (bytes memory actualKey, uint40 actualRegisteredAt, uint40 actualEnd, uint40 actualRetiredAt) =
            registry.keyByIndex(id, index);
        vm.assertEq(actualKey, publicKey, "keyByIndex key");
        vm.assertEq(actualRegisteredAt, registeredAt, "keyByIndex registeredAt");
        vm.assertEq(actualEnd, end, "keyByIndex validUntil");
        vm.assertEq(actualRetiredAt, retiredAt, "keyByIndex retiredAt");
    }

    function _assertKeyAt(bytes32 id, uint40 time, uint32 index, bytes memory publicKey) internal view {
        (uint32 actualIndex, bytes memory actualKey) = registry.keyAt(id, time);
        vm.assertEq(actualIndex, index, "keyAt index");
        vm.assertEq(actualKey, publicKey, "keyAt key");
    }

    function _assertNoKeyAt(bytes32 id, uint40 time) internal {
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NoKeyAt.selector, id, time));
        registry.keyAt(id, time);
    }
}
