// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry} from "../IIdentityRegistry.sol";
import {IMessenger} from "../IMessenger.sol";
import {MessengerTestBase} from "./MessengerTestBase.sol";
import {vm} from "./Vm.sol";

/// @notice Property tests of {Messenger}: random keys, timestamps, payloads, and tampering with
/// every signed field.
contract MessengerFuzzTest is MessengerTestBase {
    /// @dev Width of the freshness window, both ends included.
    uint256 internal constant WINDOW = MAX_AGE + MAX_SKEW;

    // ------------------------------------------------------------------ full handshake

    /// @dev Any two registered keys complete a handshake with any in-window timestamps, non-zero
    /// ephemeral keys and payloads, whatever time passes between the steps while the request is fresh.
    function testFuzz_RequestAndAccept(
        uint256 initiatorSeed,
        uint256 responderSeed,
        bytes32 ephemeralA,
        bytes32 ephemeralB,
        uint256 timing,
        bytes memory payloadA,
        bytes memory payloadB
    ) public {
        Key memory initiator = _key(_privateKey(initiatorSeed));
        Key memory responder = _key(_privateKey(responderSeed));
        vm.assume(initiator.id != responder.id);
        vm.assume(ephemeralA != 0 && ephemeralB != 0);
        vm.assume(payloadA.length <= MAX_LENGTH && payloadB.length <= MAX_LENGTH);
        _registerRelayed(initiator, validUntil);
        _registerSelf(responder, validUntil);

        Step memory request = Step(ephemeralA, _inWindow(timing), payloadA, "");
        request = _signedRequest(initiator.privateKey, initiator.id, responder.id, request);
        bytes32 requestId = _requestDigest(initiator.id, responder.id, request);
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthRequested(
            responder.id,
            initiator.id,
            requestId,
            request.ephemeralKey,
            request.signedAt,
            request.sealedPayload,
            request.signature
        );
        vm.assertEq(_submitRequest(initiator.id, responder.id, request), requestId, "request ID");
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, 0);

        // Any time until the request expires (MAX_SIGNATURE_AGE after its signedAt).
        if (request.signedAt + MAX_AGE > _now()) {
            vm.warp(_now() + (timing >> 128) % (request.signedAt + MAX_AGE - _now() + 1));
        }
        Step memory answer = Step(ephemeralB, _inWindow(timing >> 64), payloadB, "");
        answer = _signedAccept(responder.privateKey, requestId, initiator.id, responder.id, answer);
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthAccepted(
            initiator.id,
            responder.id,
            requestId,
            answer.ephemeralKey,
            answer.signedAt,
            answer.sealedPayload,
            answer.signature
        );
        _submitAccept(requestId, answer);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, _now());
    }

    // ------------------------------------------------------------------ tampering

    /// @dev Changing any one field of a signed request after signing makes the signature invalid;
    /// the refused attempt consumes nothing, so the genuine request still goes through.
    function testFuzz_Request_TamperedFieldIsRejected(uint256 seed, uint256 field, uint256 noise) public {
        Step memory genuine = _step(seed);
        genuine.sealedPayload = _payload(seed, seed % 300);
        genuine = _signedRequest(alice.privateKey, alice.id, bob.id, genuine);

        Step memory forged = _copy(genuine);
        bytes32 initiator = alice.id;
        bytes32 responder = bob.id;
        field %= 6;
        if (field == 0) {
            initiator = carol.id;
        } else if (field == 1) {
            responder = carol.id;
        } else {
            _tamper(forged, field - 2, noise);
        }

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, initiator));
        _submitRequest(initiator, responder, forged);
        _assertNoRequest(_requestDigest(initiator, responder, forged));

        bytes32 requestId = _submitRequest(alice.id, bob.id, genuine);
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, 0);
    }

    /// @dev The same for an answer, plus an answer spent on another request and one signed by a
    /// random other key.
    function testFuzz_Accept_TamperedFieldIsRejected(uint256 seed, uint256 field, uint256 noise) public {
        bytes32 requestId = _request(alice, bob, 1);
        bytes32 otherRequest = _request(carol, bob, 2);
        Step memory genuine = _step(seed);
        genuine.sealedPayload = _payload(seed, seed % 300);
        genuine = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, genuine);

        Step memory forged = _copy(genuine);
        bytes32 target = requestId;
        field %= 6;
        if (field == 0) {
            target = otherRequest;
        } else if (field == 5) {
            uint256 signer = _privateKey(noise);
            vm.assume(signer != bob.privateKey);
            forged = _signedAccept(signer, requestId, alice.id, bob.id, forged);
        } else {
            _tamper(forged, field - 1, noise);
        }

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, bob.id));
        _submitAccept(target, forged);
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, 0);
        _assertRequest(otherRequest, IMessenger.RequestStatus.Pending, 0);

        _submitAccept(requestId, genuine);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, _now());
    }

    /// @dev A request signed by any key but the initiator's current one is refused.
    function testFuzz_Request_RejectsSignatureByOtherKey(uint256 signerSeed) public {
        uint256 signer = _privateKey(signerSeed);
        vm.assume(signer != alice.privateKey);
        Step memory step = _signedRequest(signer, alice.id, bob.id, _step(signerSeed));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        _submitRequest(alice.id, bob.id, step);
        _assertNoRequest(_requestDigest(alice.id, bob.id, step));
    }

    /// @dev After a rotation to a random key, only that key signs for the identity.
    function testFuzz_RotatedKeySignsOldKeyDoesNot(uint256 seed) public {
        Key memory next = _key(_privateKey(seed));
        vm.assume(next.privateKey != alice.privateKey);
        bytes32 requestId = _request(bob, alice, 1);
        _rotate(alice.id, alice, next, validUntil);

        Step memory old = _signedRequest(alice.privateKey, alice.id, carol.id, _step(2));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        _submitRequest(alice.id, carol.id, old);
        Step memory oldAnswer = _signedAccept(alice.privateKey, requestId, bob.id, alice.id, _step(3));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidSignature.selector, alice.id));
        _submitAccept(requestId, oldAnswer);

        _submitRequest(alice.id, carol.id, _signedRequest(next.privateKey, alice.id, carol.id, _step(2)));
        _submitAccept(requestId, _signedAccept(next.privateKey, requestId, bob.id, alice.id, _step(3)));
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, _now());
    }

    // ------------------------------------------------------------------ freshness

    /// @dev Both steps accept exactly the timestamps in [now - MAX_SIGNATURE_AGE, now + MAX_CLOCK_SKEW].
    /// Timestamps are drawn from twice the window around it, and now and then from the extremes.
    function testFuzz_FreshnessWindow(uint256 offset, bool answer) public {
        vm.warp(_now() + 1 days);
        bytes32 requestId = _request(alice, bob, 1);
        Step memory step = _step(2);
        if (offset % 16 == 0) {
            step.signedAt = offset % 32 == 0 ? 0 : type(uint40).max;
        } else {
            step.signedAt = uint40(_now() - 2 * MAX_AGE + (offset >> 8) % (2 * WINDOW + 1));
        }

        bytes memory err;
        if (uint256(step.signedAt) + MAX_AGE < _now()) {
            err = abi.encodeWithSelector(IIdentityRegistry.StaleTimestamp.selector, step.signedAt, _now());
        } else if (step.signedAt > _now() + MAX_SKEW) {
            err = abi.encodeWithSelector(IIdentityRegistry.FutureTimestamp.selector, step.signedAt, _now());
        }

        if (answer) {
            step = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, step);
            if (err.length != 0) vm.expectRevert(err);
            _submitAccept(requestId, step);
            _assertRequest(
                requestId,
                err.length == 0 ? IMessenger.RequestStatus.Accepted : IMessenger.RequestStatus.Pending,
                err.length == 0 ? _now() : 0
            );
        } else {
            step = _signedRequest(carol.privateKey, carol.id, bob.id, step);
            if (err.length != 0) vm.expectRevert(err);
            bytes32 id = _submitRequest(carol.id, bob.id, step);
            if (err.length == 0) {
                _assertRequest(id, IMessenger.RequestStatus.Pending, 0);
            } else {
                _assertNoRequest(_requestDigest(carol.id, bob.id, step));
            }
        }
    }

    // ------------------------------------------------------------------ request age and supersession

    /// @dev An answer is taken exactly while block time <= the request's signedAt + MAX_SIGNATURE_AGE
    /// (the age counts from the signature, wherever in its window it was submitted), and refused with
    /// RequestExpired after, up to 300 days later. The answer itself is always freshly signed.
    function testFuzz_Accept_RequestAgeBoundary(uint256 signedBefore, uint256 age) public {
        vm.warp(_now() + 1 days);
        Step memory request = _step(1);
        request.signedAt = uint40(_now() - signedBefore % (MAX_AGE + 1));
        bytes32 requestId =
            _submitRequest(alice.id, bob.id, _signedRequest(alice.privateKey, alice.id, bob.id, request));
        uint256 earliest = _now() - request.signedAt;
        if (age % 8 == 0) {
            age = _bound(age >> 8, earliest, 300 days);
        } else {
            age = _bound(age >> 8, earliest < MAX_AGE - 60 ? MAX_AGE - 60 : earliest, MAX_AGE + 60);
        }

        vm.warp(request.signedAt + age);
        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        if (age > MAX_AGE) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.RequestExpired.selector, requestId, request.signedAt));
        }
        _submitAccept(requestId, answer);
        _assertRequest(
            requestId,
            age > MAX_AGE ? IMessenger.RequestStatus.Pending : IMessenger.RequestStatus.Accepted,
            age > MAX_AGE ? 0 : _now()
        );
    }

    /// @dev After any number of rotations of the initiator between request and answer (one or more),
    /// the answer is refused with RequestSuperseded; the responder's rotations never supersede.
    function testFuzz_Accept_SupersededByInitiatorRotation(uint256 seed, uint8 initiatorRotations, bool responder)
        public
    {
        initiatorRotations = uint8(_bound(initiatorRotations, 0, 3));
        bytes32 requestId = _request(alice, bob, 1);
        Key memory current = alice;
        for (uint256 i = 0; i < initiatorRotations; i++) {
            Key memory next = _key(_privateKey(uint256(keccak256(abi.encode(seed, i)))));
            _rotate(alice.id, current, next, validUntil);
            current = next;
        }
        Key memory answering = bob;
        if (responder) {
            answering = _key(_privateKey(uint256(keccak256(abi.encode(seed, "responder")))));
            _rotate(bob.id, bob, answering, validUntil);
        }
        Step memory answer = _signedAccept(answering.privateKey, requestId, alice.id, bob.id, _step(2));
        if (initiatorRotations > 0) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.RequestSuperseded.selector, requestId));
        }
        _submitAccept(requestId, answer);
        _assertRequest(
            requestId,
            initiatorRotations > 0 ? IMessenger.RequestStatus.Pending : IMessenger.RequestStatus.Accepted,
            initiatorRotations > 0 ? 0 : _now()
        );
    }

    /// @dev Any change to any field of the request given at accept time names an unknown request.
    function testFuzz_Accept_ForgedRequestFieldsAreUnknown(uint256 field, uint256 noise) public {
        bytes32 requestId = _request(alice, bob, 1);
        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        IMessenger.AuthRequestFields memory forged = _forge(requestFields[requestId], field % 5, noise);
        bytes32 forgedId = messenger.hashAuthRequest(
            forged.initiator, forged.responder, forged.ephemeralKey, forged.signedAt, forged.payloadHash
        );
        vm.expectRevert(abi.encodeWithSelector(IMessenger.UnknownRequest.selector, forgedId));
        _submitAccept(forged, answer);
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, 0);
    }

    // ------------------------------------------------------------------ mailbox

    /// @dev Any envelope of 1 .. MAX_ENVELOPE_LENGTH bytes is emitted unchanged under its tag.
    function testFuzz_Post(bytes32 tag, bytes memory envelope) public {
        if (envelope.length == 0) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.EmptyEnvelope.selector));
        } else if (envelope.length > MAX_LENGTH) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.EnvelopeTooLarge.selector, envelope.length));
        } else {
            vm.expectEmit(true, true, true, true, address(messenger));
            emit IMessenger.Posted(tag, envelope);
        }
        messenger.post(tag, envelope);
    }

    /// @dev The length limits, over the whole range around them.
    function testFuzz_Post_Length(uint256 length) public {
        length %= 2 * MAX_LENGTH;
        bytes memory envelope = new bytes(length);
        if (length == 0) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.EmptyEnvelope.selector));
        } else if (length > MAX_LENGTH) {
            vm.expectRevert(abi.encodeWithSelector(IMessenger.EnvelopeTooLarge.selector, length));
        } else {
            vm.expectEmit(true, true, true, true, address(messenger));
            emit IMessenger.Posted(bytes32(length), envelope);
        }
        messenger.post(bytes32(length), envelope);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A timestamp in the freshness window around the current block time.
    function _inWindow(uint256 seed) internal view returns (uint40) {
        return uint40(_now() - MAX_AGE + (uint64(seed) % (WINDOW + 1)));
    }

    function _copy(Step memory step) internal pure returns (Step memory) {
        return Step(
            step.ephemeralKey, step.signedAt, abi.encodePacked(step.sealedPayload), abi.encodePacked(step.signature)
        );
    }

    /// @dev Changes one signed field of `step` (0 ephemeral key, 1 timestamp, 2 payload, 3 signature)
    /// to a different value that passes every check but the signature's.
    function _tamper(Step memory step, uint256 field, uint256 noise) internal view {
        if (field == 0) {
            bytes32 key = keccak256(abi.encode("other ephemeral key", noise));
            vm.assume(key != step.ephemeralKey && key != 0);
            step.ephemeralKey = key;
        } else if (field == 1) {
            uint40 signedAt = _inWindow(noise);
            vm.assume(signedAt != step.signedAt);
            step.signedAt = signedAt;
        } else if (field == 2) {
            uint256 length = step.sealedPayload.length;
            if (length == 0 || noise & 1 == 1) {
                step.sealedPayload = abi.encodePacked(step.sealedPayload, bytes1(uint8(noise >> 8)));
            } else {
                step.sealedPayload[(noise >> 8) % length] ^= bytes1(uint8(1 + (noise >> 128) % 255));
            }
        } else {
            step.signature[(noise >> 8) % 65] ^= bytes1(uint8(1 + (noise >> 128) % 255));
        }
    }
}
