// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessenger} from "../IMessenger.sol";
import {Messenger} from "../Messenger.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";
import {vm} from "./Vm.sol";

/// @title Cheatcodes the messenger tests use on top of {Vm}
/// @notice Recording of storage accesses and logs, also implemented by Hardhat's EDR.
interface RecordingVm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function record() external;
    function accesses(address target) external returns (bytes32[] memory readSlots, bytes32[] memory writeSlots);
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
}

/// @dev The cheatcodes answer at the same address as {vm}.
RecordingVm constant vmr = RecordingVm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @notice Shared fixture of the messenger tests: a real {IdentityRegistry} with three registered
/// identities, a {Messenger} on top of it, and EIP-712 digests computed independently of the
/// contract from the type strings {IMessenger} documents.
abstract contract MessengerTestBase is RegistryTestBase {
    /// @dev One signed handshake step as it is submitted.
    struct Step {
        bytes32 ephemeralKey;
        uint40 signedAt;
        bytes sealedPayload;
        bytes signature;
    }

    bytes32 internal constant AUTH_REQUEST_TYPEHASH = keccak256(
        "AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)"
    );
    bytes32 internal constant AUTH_ACCEPT_TYPEHASH = keccak256(
        "AuthAccept(bytes32 requestId,bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)"
    );
    uint256 internal constant MAX_LENGTH = 16 * 1024;

    Messenger internal messenger;

    /// @dev The signed fields of every request a test built and submitted, by request ID: what
    /// {acceptAuth} is given again.
    mapping(bytes32 requestId => IMessenger.AuthRequestFields) internal requestFields;

    /// @dev Alice usually initiates, Bob usually responds, Carol is a registered bystander.
    Key internal alice;
    Key internal bob;
    Key internal carol;
    uint40 internal validUntil;

    function setUp() public virtual override {
        super.setUp();
        messenger = new Messenger(registry);
        alice = _key(0xA11CE);
        bob = _key(0xB0B);
        carol = _key(0xCA401);
        validUntil = _now() + YEAR;
        _registerSelf(alice, validUntil);
        _registerRelayed(bob, validUntil);
        _registerSelf(carol, validUntil);
    }

    // ---- EIP-712, computed without the contract ----

    function _messengerDomain(address verifyingContract, uint256 chainId) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("peerkey Messenger"), keccak256("2"), chainId, verifyingContract)
        );
    }

    function _messengerDigest(address verifyingContract, uint256 chainId, bytes32 structHash)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked("\x19\x01", _messengerDomain(verifyingContract, chainId), structHash));
    }

    /// @dev The request ID (= signed digest) of an AuthRequest for `target` on chain `chainId`.
    function _requestDigestFor(
        address target,
        uint256 chainId,
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes memory sealedPayload
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(AUTH_REQUEST_TYPEHASH, initiator, responder, ephemeralKey, signedAt, keccak256(sealedPayload))
        );
        return _messengerDigest(target, chainId, structHash);
    }

    function _requestDigest(bytes32 initiator, bytes32 responder, Step memory step) internal view returns (bytes32) {
        return _requestDigestFor(
            address(messenger),
            block.chainid,
            initiator,
            responder,
            step.ephemeralKey,
            step.signedAt,
            step.sealedPayload
        );
    }

    /// @dev The digest the responder signs to accept `requestId`, for `target` on chain `chainId`.
    function _acceptDigestFor(
        address target,
        uint256 chainId,
        bytes32 requestId,
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes memory sealedPayload
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                AUTH_ACCEPT_TYPEHASH, requestId, initiator, responder, ephemeralKey, signedAt, keccak256(sealedPayload)
            )
        );
        return _messengerDigest(target, chainId, structHash);
    }

    function _acceptDigest(bytes32 requestId, bytes32 initiator, bytes32 responder, Step memory step)
        internal
        view
        returns (bytes32)
    {
        return _acceptDigestFor(
            address(messenger),
            block.chainid,
            requestId,
            initiator,
            responder,
            step.ephemeralKey,
            step.signedAt,
            step.sealedPayload
        );
    }

    // ---- building steps ----

    /// @dev An unsigned step: a key and a ~100-byte payload derived from `seed`, signed now.
    function _step(uint256 seed) internal view returns (Step memory step) {
        step.ephemeralKey = keccak256(abi.encode("ephemeral", seed));
        step.signedAt = _now();
        step.sealedPayload = _payload(seed, 100);
    }

    /// @dev `length` pseudo-random bytes derived from `seed`.
    function _payload(uint256 seed, uint256 length) internal pure returns (bytes memory payload) {
        payload = new bytes(length);
        for (uint256 i = 0; i < length; i += 32) {
            bytes32 word = keccak256(abi.encode("payload", seed, i));
            for (uint256 j = 0; j < 32 && i + j < length; j++) {
                payload[i + j] = word[j];
            }
        }
    }

    /// @dev `step` signed as a request from `initiator` to `responder` by `privateKey`.
    function _signedRequest(uint256 privateKey, bytes32 initiator, bytes32 responder, Step memory step)
        internal
        view
        returns (Step memory)
    {
        step.signature = _sign(privateKey, _requestDigest(initiator, responder, step));
        return step;
    }

    /// @dev `step` signed by `privateKey` as the answer to `requestId` between `initiator` and `responder`.
    function _signedAccept(
        uint256 privateKey,
        bytes32 requestId,
        bytes32 initiator,
        bytes32 responder,
        Step memory step
    ) internal view returns (Step memory) {
        step.signature = _sign(privateKey, _acceptDigest(requestId, initiator, responder, step));
        return step;
    }

    // ---- submitting ----

    /// @dev The fields {acceptAuth} takes for the request `step` from `initiator` to `responder`.
    function _fields(bytes32 initiator, bytes32 responder, Step memory step)
        internal
        pure
        returns (IMessenger.AuthRequestFields memory)
    {
        return IMessenger.AuthRequestFields(
            initiator, responder, step.ephemeralKey, step.signedAt, keccak256(step.sealedPayload)
        );
    }

    /// @dev Submits a request, remembering its fields under its ID (also if the call is expected to revert).
    function _submitRequest(bytes32 initiator, bytes32 responder, Step memory step) internal returns (bytes32) {
        requestFields[_requestDigest(initiator, responder, step)] = _fields(initiator, responder, step);
        return messenger.requestAuth(
            initiator, responder, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature
        );
    }

    /// @dev Submits an answer to the request remembered under `requestId`.
    function _submitAccept(bytes32 requestId, Step memory step) internal {
        IMessenger.AuthRequestFields memory request = requestFields[requestId];
        vm.assertTrue(request.initiator != bytes32(0), "the test never built this request");
        _submitAccept(request, step);
    }

    /// @dev Submits an answer to the request with these fields.
    function _submitAccept(IMessenger.AuthRequestFields memory request, Step memory step) internal {
        messenger.acceptAuth(request, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature);
    }

    /// @dev A request from `initiator` to `responder`, signed by `initiator`'s registered key and relayed.
    function _request(Key memory initiator, Key memory responder, uint256 seed) internal returns (bytes32 requestId) {
        Step memory step = _signedRequest(initiator.privateKey, initiator.id, responder.id, _step(seed));
        vm.prank(RELAYER);
        requestId = _submitRequest(initiator.id, responder.id, step);
    }

    /// @dev The answer to `requestId`, signed by `responder`'s registered key and relayed.
    function _accept(bytes32 requestId, Key memory initiator, Key memory responder, uint256 seed) internal {
        Step memory step = _signedAccept(responder.privateKey, requestId, initiator.id, responder.id, _step(seed));
        vm.prank(RELAYER);
        _submitAccept(requestId, step);
    }

    /// @dev `request` with one field changed: 0 initiator, 1 responder (both to another registered
    /// identity), 2 ephemeral key, 3 signedAt, 4 payload hash.
    function _forge(IMessenger.AuthRequestFields memory request, uint256 field, uint256 noise)
        internal
        view
        returns (IMessenger.AuthRequestFields memory forged)
    {
        forged = IMessenger.AuthRequestFields(
            request.initiator, request.responder, request.ephemeralKey, request.signedAt, request.payloadHash
        );
        bytes32 other = keccak256(abi.encode("forged", noise));
        bytes32 party = carol.id == request.initiator || carol.id == request.responder ? bob.id : carol.id;
        if (party == request.initiator || party == request.responder) party = alice.id;
        if (field == 0) {
            forged.initiator = party;
        } else if (field == 1) {
            forged.responder = party;
        } else if (field == 2) {
            forged.ephemeralKey = other == request.ephemeralKey ? ~other : other;
        } else if (field == 3) {
            forged.signedAt = request.signedAt + 1 + uint40(noise % 600);
        } else {
            forged.payloadHash = other == request.payloadHash ? ~other : other;
        }
    }

    // ---- expected errors ----

    function _err(bytes4 selector) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector);
    }

    function _err(bytes4 selector, bytes32 arg) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, arg);
    }

    // ---- reading state ----

    /// @dev Everything the messenger tells about `requestId`, to show that a reverted call changed nothing.
    function _requestState(bytes32 requestId) internal view returns (bytes memory) {
        (IMessenger.RequestStatus status, uint40 signedAt, uint32 keyIndex, uint40 acceptedAt) =
            messenger.authRequest(requestId);
        return abi.encode(status, messenger.requestStatus(requestId), signedAt, keyIndex, acceptedAt);
    }

    function _assertRequestUnchanged(bytes32 requestId, bytes memory before) internal view {
        vm.assertEq(_requestState(requestId), before, "request changed by a reverted call");
    }

    function _assertNoRequest(bytes32 requestId) internal view {
        _assertRequest(requestId, IMessenger.RequestStatus.None, 0);
    }

    /// @dev The request's status and acceptance time; unless None, its stored signedAt is the one
    /// the test signed (and when None, everything is zero).
    function _assertRequest(bytes32 requestId, IMessenger.RequestStatus status, uint40 acceptedAt) internal view {
        (IMessenger.RequestStatus actual, uint40 signedAt, uint32 keyIndex, uint40 storedAcceptedAt) =
            messenger.authRequest(requestId);
        vm.assertEq(uint256(actual), uint256(status), "status");
        vm.assertEq(uint256(messenger.requestStatus(requestId)), uint256(status), "requestStatus");
        vm.assertEq(storedAcceptedAt, acceptedAt, "acceptedAt");
        if (status == IMessenger.RequestStatus.None) {
            vm.assertEq(signedAt, 0, "signedAt of no request");
            vm.assertEq(keyIndex, 0, "key index of no request");
        } else {
            vm.assertEq(signedAt, requestFields[requestId].signedAt, "signedAt");
        }
    }

    /// @dev The initiator's key index the request recorded.
    function _requestKeyIndex(bytes32 requestId) internal view returns (uint32 keyIndex) {
        (,, keyIndex,) = messenger.authRequest(requestId);
    }
}
