// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry, IIdentityRegistryErrors} from "../IIdentityRegistry.sol";
import {IMessenger} from "../IMessenger.sol";
import {Messenger} from "../Messenger.sol";
import {MessengerTestBase, vmr, RecordingVm} from "./MessengerTestBase.sol";
import {vm} from "./Vm.sol";

/// @notice Example-based tests of every rule of {Messenger}, against a real {IdentityRegistry}.
contract MessengerTest is MessengerTestBase {
    /// @dev Registered with a validity of one day, to be expired by vm.warp.
    Key internal dave;
    uint40 internal daveValidUntil;
    /// @dev Never registered.
    Key internal stranger;

    function setUp() public override {
        super.setUp();
        dave = _key(0xDA7E);
        daveValidUntil = _now() + 1 days;
        _registerSelf(dave, daveValidUntil);
        stranger = _key(0x57A4);
    }

    // ------------------------------------------------------------------ constants, domain, views

    function test_TypeHashesAndConstants() public view {
        vm.assertEq(messenger.AUTH_REQUEST_TYPEHASH(), AUTH_REQUEST_TYPEHASH, "AUTH_REQUEST_TYPEHASH");
        vm.assertEq(messenger.AUTH_ACCEPT_TYPEHASH(), AUTH_ACCEPT_TYPEHASH, "AUTH_ACCEPT_TYPEHASH");
        vm.assertEq(messenger.MAX_SIGNATURE_AGE(), registry.MAX_SIGNATURE_AGE(), "MAX_SIGNATURE_AGE");
        vm.assertEq(messenger.MAX_CLOCK_SKEW(), registry.MAX_CLOCK_SKEW(), "MAX_CLOCK_SKEW");
        vm.assertEq(messenger.MAX_SIGNATURE_AGE(), MAX_AGE, "MAX_SIGNATURE_AGE value");
        vm.assertEq(messenger.MAX_CLOCK_SKEW(), MAX_SKEW, "MAX_CLOCK_SKEW value");
        vm.assertEq(messenger.MAX_ENVELOPE_LENGTH(), MAX_LENGTH, "MAX_ENVELOPE_LENGTH");
        vm.assertEq(messenger.MAX_SEALED_PAYLOAD_LENGTH(), MAX_LENGTH, "MAX_SEALED_PAYLOAD_LENGTH");
        vm.assertEq(address(messenger.registry()), address(registry), "registry");
    }

    function test_DomainSeparator() public view {
        vm.assertEq(
            messenger.domainSeparator(), _messengerDomain(address(messenger), block.chainid), "domain separator"
        );
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            messenger.eip712Domain();
        vm.assertEq(bytes(name), bytes("peerkey Messenger"), "name");
        vm.assertEq(bytes(version), bytes("1"), "version");
        vm.assertEq(chainId, block.chainid, "chain id");
        vm.assertEq(verifyingContract, address(messenger), "verifying contract");
    }

    function test_DomainSeparatorFollowsChainId() public {
        bytes32 before = messenger.domainSeparator();
        vm.chainId(block.chainid + 1);
        vm.assertTrue(messenger.domainSeparator() != before, "domain separator ignores the chain id");
        vm.assertEq(
            messenger.domainSeparator(), _messengerDomain(address(messenger), block.chainid), "domain separator"
        );
    }

    function test_HashViewsMatchIndependentEncoding() public view {
        Step memory step = _step(1);
        bytes32 payloadHash = keccak256(step.sealedPayload);
        bytes32 requestId = _requestDigest(alice.id, bob.id, step);
        vm.assertEq(
            messenger.hashAuthRequest(alice.id, bob.id, step.ephemeralKey, step.signedAt, payloadHash),
            requestId,
            "hashAuthRequest"
        );
        vm.assertEq(
            messenger.hashAuthAccept(requestId, alice.id, bob.id, step.ephemeralKey, step.signedAt, payloadHash),
            _acceptDigest(requestId, alice.id, bob.id, step),
            "hashAuthAccept"
        );
    }

    function test_UnknownRequestHasNoState() public view {
        _assertNoRequest(keccak256("no such request"));
        _assertNoRequest(bytes32(0));
    }

    // ------------------------------------------------------------------ happy path

    function test_RequestThenAccept() public {
        Step memory request = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _requestDigest(alice.id, bob.id, request);

        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthRequested(
            bob.id,
            alice.id,
            requestId,
            request.ephemeralKey,
            request.signedAt,
            request.sealedPayload,
            request.signature
        );
        vm.prank(RELAYER);
        bytes32 returned = _submitRequest(alice.id, bob.id, request);

        vm.assertEq(returned, requestId, "returned request ID");
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);

        vm.warp(_now() + 30);
        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthAccepted(
            alice.id, bob.id, requestId, answer.ephemeralKey, answer.signedAt, answer.sealedPayload, answer.signature
        );
        vm.prank(RELAYER);
        _submitAccept(requestId, answer);

        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    /// @dev The events carry everything a client needs to check the peer's signature itself.
    function test_EventsCarryVerifiableSignatures() public {
        vmr.recordLogs();
        bytes32 requestId = _request(alice, bob, 1);
        _accept(requestId, alice, bob, 2);
        RecordingVm.Log[] memory logs = vmr.getRecordedLogs();
        vm.assertEq(logs.length, 2, "two events");

        RecordingVm.Log memory requested = logs[0];
        vm.assertEq(requested.emitter, address(messenger), "emitter");
        vm.assertEq(requested.topics.length, 3, "AuthRequested topics");
        vm.assertEq(requested.topics[0], IMessenger.AuthRequested.selector, "AuthRequested signature");
        bytes32 responder = requested.topics[1];
        bytes32 initiator = requested.topics[2];
        (bytes32 id, bytes32 ephemeralKey, uint40 signedAt, bytes memory payload, bytes memory signature) =
            abi.decode(requested.data, (bytes32, bytes32, uint40, bytes, bytes));
        bytes32 digest = _requestDigestFor(
            address(messenger), block.chainid, initiator, responder, ephemeralKey, signedAt, payload
        );
        vm.assertEq(digest, id, "request ID is the digest of the logged fields");
        vm.assertEq(_recover(digest, signature), alice.account, "request signer");

        RecordingVm.Log memory accepted = logs[1];
        vm.assertEq(accepted.topics[0], IMessenger.AuthAccepted.selector, "AuthAccepted signature");
        vm.assertEq(accepted.topics[1], alice.id, "AuthAccepted initiator");
        vm.assertEq(accepted.topics[2], bob.id, "AuthAccepted responder");
        (id, ephemeralKey, signedAt, payload, signature) =
            abi.decode(accepted.data, (bytes32, bytes32, uint40, bytes, bytes));
        vm.assertEq(id, requestId, "accepted request");
        digest = _acceptDigestFor(
            address(messenger), block.chainid, id, alice.id, bob.id, ephemeralKey, signedAt, payload
        );
        vm.assertEq(_recover(digest, signature), bob.account, "accept signer");
    }

    function test_Request_AnySubmitterWorks() public {
        Step memory byInitiator = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        vm.prank(alice.account);
        bytes32 first = _submitRequest(alice.id, bob.id, byInitiator);

        Step memory byResponder = _signedRequest(alice.privateKey, alice.id, bob.id, _step(2));
        vm.prank(bob.account);
        bytes32 second = _submitRequest(alice.id, bob.id, byResponder);

        vm.assertTrue(first != second, "distinct requests");
        _assertRequest(first, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);
        _assertRequest(second, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);
    }

    function test_Request_BothDirectionsAreIndependent() public {
        bytes32 aliceToBob = _request(alice, bob, 1);
        bytes32 bobToAlice = _request(bob, alice, 1);
        vm.assertTrue(aliceToBob != bobToAlice, "distinct requests");
        _accept(bobToAlice, bob, alice, 2);
        _assertRequest(aliceToBob, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);
        _assertRequest(bobToAlice, IMessenger.RequestStatus.Accepted, bob.id, alice.id, _now());
    }

    function test_Request_EmptyAndMaximalPayloads() public {
        Step memory step = _step(1);
        step.sealedPayload = "";
        bytes32 empty = _submitRequest(alice.id, bob.id, _signedRequest(alice.privateKey, alice.id, bob.id, step));
        _assertRequest(empty, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);

        step = _step(2);
        step.sealedPayload = _payload(2, MAX_LENGTH);
        bytes32 full = _submitRequest(alice.id, bob.id, _signedRequest(alice.privateKey, alice.id, bob.id, step));
        _assertRequest(full, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);

        step = _signedAccept(bob.privateKey, full, alice.id, bob.id, step);
        _submitAccept(full, step);
        _assertRequest(full, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    function test_Request_TimestampWindowEdges() public {
        vm.warp(_now() + 1 days);
        Step memory oldest = _step(1);
        oldest.signedAt = uint40(_now() - MAX_AGE);
        _submitRequest(alice.id, bob.id, _signedRequest(alice.privateKey, alice.id, bob.id, oldest));

        Step memory newest = _step(2);
        newest.signedAt = uint40(_now() + MAX_SKEW);
        bytes32 requestId =
            _submitRequest(alice.id, bob.id, _signedRequest(alice.privateKey, alice.id, bob.id, newest));

        oldest = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, oldest);
        _submitAccept(requestId, oldest);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    /// @dev A request writes two fresh slots, an acceptance one; nothing else is stored.
    function test_StorageFootprint() public {
        Step memory request = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        vmr.record();
        bytes32 requestId = _submitRequest(alice.id, bob.id, request);
        (, bytes32[] memory writes) = vmr.accesses(address(messenger));
        vm.assertEq(writes.length, 2, "requestAuth writes");
        vm.assertTrue(writes[0] != writes[1], "two distinct slots");

        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        vmr.record();
        _submitAccept(requestId, answer);
        (, writes) = vmr.accesses(address(messenger));
        vm.assertEq(writes.length, 1, "acceptAuth writes");
    }

    // ------------------------------------------------------------------ requestAuth rejections

    function test_Request_RevertsWhenInitiatorIsResponder() public {
        Step memory step = _signedRequest(alice.privateKey, alice.id, alice.id, _step(1));
        _expectRequestRevert(
            alice.id, alice.id, step, abi.encodeWithSelector(IMessenger.SelfAuthentication.selector, alice.id)
        );
    }

    function test_Request_RevertsOnZeroEphemeralKey() public {
        Step memory step = _step(1);
        step.ephemeralKey = bytes32(0);
        step = _signedRequest(alice.privateKey, alice.id, bob.id, step);
        _expectRequestRevert(alice.id, bob.id, step, abi.encodeWithSelector(IMessenger.ZeroEphemeralKey.selector));
    }

    function test_Request_RevertsOnOversizePayload() public {
        Step memory step = _step(1);
        step.sealedPayload = _payload(1, MAX_LENGTH + 1);
        step = _signedRequest(alice.privateKey, alice.id, bob.id, step);
        _expectRequestRevert(
            alice.id,
            bob.id,
            step,
            abi.encodeWithSelector(IMessenger.SealedPayloadTooLarge.selector, MAX_LENGTH + 1)
        );
    }

    function test_Request_RevertsOnUnknownInitiator() public {
        Step memory step = _signedRequest(stranger.privateKey, stranger.id, bob.id, _step(1));
        _expectRequestRevert(
            stranger.id, bob.id, step, abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, stranger.id)
        );
    }

    function test_Request_RevertsOnUnknownResponder() public {
        Step memory step = _signedRequest(alice.privateKey, alice.id, stranger.id, _step(1));
        _expectRequestRevert(
            alice.id, stranger.id, step, abi.encodeWithSelector(IIdentityRegistry.UnknownIdentity.selector, stranger.id)
        );
    }

    function test_Request_RevertsOnRevokedInitiator() public {
        _revoke(alice);
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        _expectRequestRevert(
            alice.id, bob.id, step, abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id)
        );
    }

    function test_Request_RevertsOnRevokedResponder() public {
        _revoke(bob);
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        _expectRequestRevert(
            alice.id, bob.id, step, abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, bob.id)
        );
    }

    function test_Request_RevertsOnExpiredInitiator() public {
        vm.warp(daveValidUntil);
        Step memory step = _signedRequest(dave.privateKey, dave.id, bob.id, _step(1));
        _expectRequestRevert(
            dave.id,
            bob.id,
            step,
            abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, dave.id, daveValidUntil)
        );
    }

    function test_Request_RevertsOnExpiredResponder() public {
        // One second earlier dave is still valid.
        vm.warp(daveValidUntil - 1);
        _request(alice, dave, 1);

        vm.warp(daveValidUntil);
        Step memory step = _signedRequest(alice.privateKey, alice.id, dave.id, _step(2));
        _expectRequestRevert(
            alice.id,
            dave.id,
            step,
            abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, dave.id, daveValidUntil)
        );
    }

    function test_Request_RevertsOnStaleTimestamp() public {
        vm.warp(_now() + 1 days);
        Step memory step = _step(1);
        step.signedAt = uint40(_now() - MAX_AGE - 1);
        step = _signedRequest(alice.privateKey, alice.id, bob.id, step);
        _expectRequestRevert(
            alice.id,
            bob.id,
            step,
            abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, step.signedAt, _now())
        );
    }

    function test_Request_RevertsOnFutureTimestamp() public {
        Step memory step = _step(1);
        step.signedAt = uint40(_now() + MAX_SKEW + 1);
        step = _signedRequest(alice.privateKey, alice.id, bob.id, step);
        _expectRequestRevert(
            alice.id,
            bob.id,
            step,
            abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, step.signedAt, _now())
        );
    }

    function test_Request_RevertsWhenSignedByResponder() public {
        Step memory step = _signedRequest(bob.privateKey, alice.id, bob.id, _step(1));
        _expectRequestRevert(alice.id, bob.id, step, _invalidSignature(alice.id));
    }

    function test_Request_RevertsWhenSignedByBystander() public {
        Step memory step = _signedRequest(carol.privateKey, alice.id, bob.id, _step(1));
        _expectRequestRevert(alice.id, bob.id, step, _invalidSignature(alice.id));
    }

    function test_Request_RevertsOnMalformedSignature() public {
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        bytes memory valid = step.signature;
        bytes[] memory bad = _malformed(valid);
        for (uint256 i = 0; i < bad.length; i++) {
            step.signature = bad[i];
            _expectRequestRevert(alice.id, bob.id, step, _invalidSignature(alice.id));
        }
        step.signature = valid;
        _submitRequest(alice.id, bob.id, step);
    }

    function test_Request_KeyRotation_NewKeyWorksOldKeyRefused() public {
        Key memory alice2 = _key(0xA11CE2);
        _rotate(alice.id, alice, alice2, validUntil);

        Step memory old = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        _expectRequestRevert(alice.id, bob.id, old, _invalidSignature(alice.id));

        Step memory fresh = _signedRequest(alice2.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _submitRequest(alice.id, bob.id, fresh);
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, alice.id, bob.id, 0);
    }

    function test_Request_RevertsOnReplay() public {
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _submitRequest(alice.id, bob.id, step);
        bytes memory err = abi.encodeWithSelector(IMessenger.RequestReplayed.selector, requestId);

        _expectRequestRevert(alice.id, bob.id, step, err);

        // Still refused once answered, and whoever submits it.
        _accept(requestId, alice, bob, 2);
        vm.expectRevert(err);
        vm.prank(bob.account);
        _submitRequest(alice.id, bob.id, step);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    /// @dev The malleable twin (s -> n - s, v flipped) has the same request ID and is refused too.
    function test_Request_RevertsOnMalleatedReplay() public {
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _submitRequest(alice.id, bob.id, step);
        step.signature = _malleate(step.signature);
        _expectRequestRevert(
            alice.id, bob.id, step, abi.encodeWithSelector(IMessenger.RequestReplayed.selector, requestId)
        );
    }

    function test_Request_RevertsForAnotherChainId() public {
        Step memory step = _step(1);
        bytes32 foreignDigest = _requestDigestFor(
            address(messenger),
            block.chainid + 1,
            alice.id,
            bob.id,
            step.ephemeralKey,
            step.signedAt,
            step.sealedPayload
        );
        step.signature = _sign(alice.privateKey, foreignDigest);
        _expectRequestRevert(alice.id, bob.id, step, _invalidSignature(alice.id));

        // After a fork to that chain id the same signature is valid there, and the old one is not.
        Step memory local = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        vm.chainId(block.chainid + 1);
        _expectRequestRevert(alice.id, bob.id, local, _invalidSignature(alice.id));
        vm.assertEq(_submitRequest(alice.id, bob.id, step), foreignDigest, "request ID on the other chain");
    }

    function test_Request_RevertsForAnotherDeployment() public {
        Messenger other = new Messenger(registry);
        Step memory step = _step(1);
        bytes32 otherDigest = _requestDigestFor(
            address(other), block.chainid, alice.id, bob.id, step.ephemeralKey, step.signedAt, step.sealedPayload
        );
        step.signature = _sign(alice.privateKey, otherDigest);
        _expectRequestRevert(alice.id, bob.id, step, _invalidSignature(alice.id));

        bytes32 requestId = other.requestAuth(
            alice.id, bob.id, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature
        );
        vm.assertEq(requestId, otherDigest, "request ID on the other deployment");
        vm.assertEq(uint256(other.requestStatus(requestId)), uint256(IMessenger.RequestStatus.Pending), "other");
        _assertNoRequest(requestId);
    }

    // ------------------------------------------------------------------ acceptAuth rejections

    function test_Accept_RevertsOnUnknownRequest() public {
        bytes32 unknown = keccak256("no such request");
        Step memory step = _signedAccept(bob.privateKey, unknown, alice.id, bob.id, _step(1));
        _expectAcceptRevert(unknown, step, abi.encodeWithSelector(IMessenger.UnknownRequest.selector, unknown));
    }

    /// @dev The ID of a request that was refused is unknown too.
    function test_Accept_RevertsOnRefusedRequest() public {
        Step memory request = _signedRequest(bob.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _requestDigest(alice.id, bob.id, request);
        _expectRequestRevert(alice.id, bob.id, request, _invalidSignature(alice.id));

        Step memory step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(requestId, step, abi.encodeWithSelector(IMessenger.UnknownRequest.selector, requestId));
    }

    function test_Accept_RevertsWhenAlreadyAccepted() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        _submitAccept(requestId, answer);
        bytes memory err = abi.encodeWithSelector(IMessenger.AlreadyAccepted.selector, requestId);

        // The same answer again, and a fresh one.
        _expectAcceptRevert(requestId, answer, err);
        vm.warp(_now() + 60);
        Step memory second = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(3));
        _expectAcceptRevert(requestId, second, err);
    }

    function test_Accept_RevertsOnZeroEphemeralKey() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        step.ephemeralKey = bytes32(0);
        step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, step);
        _expectAcceptRevert(requestId, step, abi.encodeWithSelector(IMessenger.ZeroEphemeralKey.selector));
    }

    function test_Accept_RevertsOnOversizePayload() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        step.sealedPayload = _payload(2, MAX_LENGTH + 1);
        step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, step);
        _expectAcceptRevert(
            requestId, step, abi.encodeWithSelector(IMessenger.SealedPayloadTooLarge.selector, MAX_LENGTH + 1)
        );
    }

    function test_Accept_RevertsOnStaleTimestamp() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        vm.warp(step.signedAt + MAX_AGE + 1);
        _expectAcceptRevert(
            requestId,
            step,
            abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, step.signedAt, _now())
        );
    }

    function test_Accept_RevertsOnFutureTimestamp() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        step.signedAt = uint40(_now() + MAX_SKEW + 1);
        step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, step);
        _expectAcceptRevert(
            requestId,
            step,
            abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, step.signedAt, _now())
        );
    }

    function test_Accept_RevertsWhenSignedByInitiator() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _signedAccept(alice.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
    }

    function test_Accept_RevertsWhenSignedByBystander() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _signedAccept(carol.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
    }

    /// @dev An answer signed for one request cannot be spent on another one to the same responder.
    function test_Accept_RevertsWhenBoundToAnotherRequest() public {
        bytes32 fromAlice = _request(alice, bob, 1);
        bytes32 fromCarol = _request(carol, bob, 2);
        Step memory forAlice = _signedAccept(bob.privateKey, fromAlice, alice.id, bob.id, _step(3));
        _expectAcceptRevert(fromCarol, forAlice, _invalidSignature(bob.id));

        _submitAccept(fromAlice, forAlice);
        _assertRequest(fromAlice, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
        _assertRequest(fromCarol, IMessenger.RequestStatus.Pending, carol.id, bob.id, 0);
    }

    /// @dev The answer must name the request's parties in their roles.
    function test_Accept_RevertsWhenPartiesDiffer() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory swapped = _signedAccept(bob.privateKey, requestId, bob.id, alice.id, _step(2));
        _expectAcceptRevert(requestId, swapped, _invalidSignature(bob.id));
        Step memory otherInitiator = _signedAccept(bob.privateKey, requestId, carol.id, bob.id, _step(2));
        _expectAcceptRevert(requestId, otherInitiator, _invalidSignature(bob.id));
    }

    function test_Accept_RevertsOnMalformedSignature() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        bytes memory valid = step.signature;
        bytes[] memory bad = _malformed(valid);
        for (uint256 i = 0; i < bad.length; i++) {
            step.signature = bad[i];
            _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
        }
        step.signature = _malleate(valid);
        _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
        step.signature = valid;
        _submitAccept(requestId, step);
    }

    function test_Accept_RevertsOnRevokedInitiator() public {
        bytes32 requestId = _request(alice, bob, 1);
        _revoke(alice);
        Step memory step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(
            requestId, step, abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, alice.id)
        );
    }

    function test_Accept_RevertsOnRevokedResponder() public {
        bytes32 requestId = _request(alice, bob, 1);
        _revoke(bob);
        Step memory step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(
            requestId, step, abi.encodeWithSelector(IIdentityRegistryErrors.IdentityRevoked.selector, bob.id)
        );
    }

    function test_Accept_RevertsOnExpiredInitiator() public {
        bytes32 requestId = _request(dave, bob, 1);
        vm.warp(daveValidUntil);
        Step memory step = _signedAccept(bob.privateKey, requestId, dave.id, bob.id, _step(2));
        _expectAcceptRevert(
            requestId,
            step,
            abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, dave.id, daveValidUntil)
        );
    }

    function test_Accept_RevertsOnExpiredResponder() public {
        bytes32 requestId = _request(alice, dave, 1);
        vm.warp(daveValidUntil);
        Step memory step = _signedAccept(dave.privateKey, requestId, alice.id, dave.id, _step(2));
        _expectAcceptRevert(
            requestId,
            step,
            abi.encodeWithSelector(IIdentityRegistry.IdentityExpired.selector, dave.id, daveValidUntil)
        );
    }

    function test_Accept_KeyRotation_NewKeyWorksOldKeyRefused() public {
        bytes32 requestId = _request(alice, bob, 1);
        Key memory bob2 = _key(0xB0B2);
        _rotate(bob.id, bob, bob2, validUntil);

        Step memory old = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        _expectAcceptRevert(requestId, old, _invalidSignature(bob.id));

        Step memory fresh = _signedAccept(bob2.privateKey, requestId, alice.id, bob.id, _step(2));
        _submitAccept(requestId, fresh);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    /// @dev A pending request stays answerable when its initiator rotates keys (still Active).
    function test_Accept_AfterInitiatorRotation() public {
        bytes32 requestId = _request(alice, bob, 1);
        _rotate(alice.id, alice, _key(0xA11CE2), validUntil);
        _accept(requestId, alice, bob, 2);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, alice.id, bob.id, _now());
    }

    function test_Accept_RevertsForAnotherChainId() public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        step.signature = _sign(
            bob.privateKey,
            _acceptDigestFor(
                address(messenger),
                block.chainid + 1,
                requestId,
                alice.id,
                bob.id,
                step.ephemeralKey,
                step.signedAt,
                step.sealedPayload
            )
        );
        _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
    }

    function test_Accept_RevertsForAnotherDeployment() public {
        Messenger other = new Messenger(registry);
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        step.signature = _sign(
            bob.privateKey,
            _acceptDigestFor(
                address(other),
                block.chainid,
                requestId,
                alice.id,
                bob.id,
                step.ephemeralKey,
                step.signedAt,
                step.sealedPayload
            )
        );
        _expectAcceptRevert(requestId, step, _invalidSignature(bob.id));
        // The other deployment never saw the request.
        vm.expectRevert(abi.encodeWithSelector(IMessenger.UnknownRequest.selector, requestId));
        other.acceptAuth(requestId, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature);
    }

    // ------------------------------------------------------------------ mailbox

    function test_Post_EmitsAndStoresNothing() public {
        bytes memory envelope = _payload(7, 100);
        bytes32 tag = keccak256("recipient tag");

        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.Posted(tag, envelope);
        vmr.record();
        vmr.recordLogs();
        vm.prank(stranger.account); // No identity needed.
        messenger.post(tag, envelope);

        (bytes32[] memory reads, bytes32[] memory writes) = vmr.accesses(address(messenger));
        vm.assertEq(writes.length, 0, "post writes storage");
        vm.assertEq(reads.length, 0, "post reads storage");
        RecordingVm.Log[] memory logs = vmr.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one event");
        vm.assertEq(logs[0].topics.length, 2, "topics");
        vm.assertEq(logs[0].topics[1], tag, "tag topic");
        vm.assertEq(abi.decode(logs[0].data, (bytes)), envelope, "envelope");
    }

    function test_Post_LengthEdges() public {
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.Posted(bytes32(0), hex"01");
        messenger.post(bytes32(0), hex"01");

        bytes memory full = _payload(8, MAX_LENGTH);
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.Posted(bytes32(uint256(1)), full);
        messenger.post(bytes32(uint256(1)), full);
    }

    function test_Post_RevertsOnEmptyEnvelope() public {
        vm.expectRevert(abi.encodeWithSelector(IMessenger.EmptyEnvelope.selector));
        messenger.post(keccak256("tag"), "");
    }

    function test_Post_RevertsOnOversizeEnvelope() public {
        bytes memory envelope = _payload(9, MAX_LENGTH + 1);
        vm.expectRevert(abi.encodeWithSelector(IMessenger.EnvelopeTooLarge.selector, MAX_LENGTH + 1));
        messenger.post(keccak256("tag"), envelope);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Expects requestAuth to revert with `err` and shows the request's state did not change.
    function _expectRequestRevert(bytes32 initiator, bytes32 responder, Step memory step, bytes memory err)
        internal
    {
        bytes32 requestId = _requestDigest(initiator, responder, step);
        bytes memory before = _requestState(requestId);
        vm.expectRevert(err);
        vm.prank(RELAYER);
        _submitRequest(initiator, responder, step);
        _assertRequestUnchanged(requestId, before);
    }

    /// @dev Expects acceptAuth to revert with `err` and shows the request's state did not change.
    function _expectAcceptRevert(bytes32 requestId, Step memory step, bytes memory err) internal {
        bytes memory before = _requestState(requestId);
        vm.expectRevert(err);
        vm.prank(RELAYER);
        _submitAccept(requestId, step);
        _assertRequestUnchanged(requestId, before);
    }

    function _invalidSignature(bytes32 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, id);
    }

    function _revoke(Key memory key) internal {
        vm.prank(key.account, key.account);
        registry.revoke(key.id);
    }

    /// @dev Variants of a valid signature that must all be refused: wrong lengths, a bad v,
    /// a zeroed r.
    function _malformed(bytes memory valid) internal pure returns (bytes[] memory bad) {
        bad = new bytes[](5);
        bad[0] = "";
        bad[1] = _slice(valid, 64);
        bad[2] = abi.encodePacked(valid, bytes1(0));
        bytes memory badV = abi.encodePacked(valid);
        badV[64] = bytes1(uint8(29));
        bad[3] = badV;
        bytes memory zeroR = abi.encodePacked(valid);
        for (uint256 i = 0; i < 32; i++) {
            zeroR[i] = 0;
        }
        bad[4] = zeroR;
    }

    /// @dev The high-s twin of a signature: (r, n - s, v ^ 1 in 27/28 terms). It recovers to the same
    /// signer but EIP-2 (and OpenZeppelin's ECDSA) refuses it.
    function _malleate(bytes memory signature) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s) = abi.decode(_slice(signature, 64), (bytes32, bytes32));
        uint8 v = uint8(signature[64]);
        return abi.encodePacked(r, bytes32(N_ORDER - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }

    uint256 internal constant N_ORDER = HALF_N * 2 + 1;

    function _slice(bytes memory data, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i = 0; i < length; i++) {
            out[i] = data[i];
        }
    }

    function _recover(bytes32 digest, bytes memory signature) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(_slice(signature, 64), (bytes32, bytes32));
        return ecrecover(digest, uint8(signature[64]), r, s);
    }
}
