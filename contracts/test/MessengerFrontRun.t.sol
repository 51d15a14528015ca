// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessenger} from "../IMessenger.sol";
import {MessengerTestBase, vmr, RecordingVm} from "./MessengerTestBase.sol";
import {vm} from "./Vm.sol";

/// @notice A front-runner's contract: forwards any calldata to a target (as Multicall, a Safe or an
/// ERC-4337 bundler would), bubbling up a revert.
contract Relay {
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}

/// @notice Anyone may submit a signed handshake step, so a front-runner who copies one (directly or
/// through a contract of his own) must produce exactly the outcome the owner's own submission
/// would have: the same state and the same event. The owner's transaction then reverts with
/// RequestReplayed or AlreadyAccepted, and the handshake completes as if nothing had happened.
contract MessengerFrontRunTest is MessengerTestBase {
    address internal constant MALLORY = address(0xBAD);

    Relay internal relay;

    function setUp() public override {
        super.setUp();
        relay = new Relay();
    }

    function test_Request_CopiedCalldata() public {
        _frontRunRequest(false);
    }

    function test_Request_CopiedThroughRelayContract() public {
        _frontRunRequest(true);
    }

    function test_Accept_CopiedCalldata() public {
        _frontRunAccept(false);
    }

    function test_Accept_CopiedThroughRelayContract() public {
        _frontRunAccept(true);
    }

    /// @dev Mallory copies Alice's signed request and lands it first.
    function _frontRunRequest(bool throughRelay) internal {
        Step memory step = _signedRequest(alice.privateKey, alice.id, bob.id, _step(1));
        bytes32 requestId = _requestDigest(alice.id, bob.id, step);
        requestFields[requestId] = _fields(alice.id, bob.id, step);
        bytes memory call = abi.encodeCall(
            IMessenger.requestAuth,
            (alice.id, bob.id, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature)
        );

        // The event is the one Alice's own submission would emit: it does not name the submitter.
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthRequested(
            bob.id, alice.id, requestId, step.ephemeralKey, step.signedAt, step.sealedPayload, step.signature
        );
        bytes memory returned = _submitAs(throughRelay, call);
        vm.assertEq(abi.decode(returned, (bytes32)), requestId, "request ID returned to the front-runner");
        _assertRequest(requestId, IMessenger.RequestStatus.Pending, 0);
        vm.assertEq(_requestKeyIndex(requestId), 0, "Alice's key index");

        // Alice's own transaction, behind it, reverts and changes nothing.
        bytes memory before = _requestState(requestId);
        vm.expectRevert(abi.encodeWithSelector(IMessenger.RequestReplayed.selector, requestId));
        vm.prank(alice.account);
        _call(call);
        _assertRequestUnchanged(requestId, before);

        // The request is Alice's all the same: Bob answers it and the handshake completes.
        _accept(requestId, alice, bob, 2);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, _now());
    }

    /// @dev Mallory copies Bob's signed answer and lands it first.
    function _frontRunAccept(bool throughRelay) internal {
        bytes32 requestId = _request(alice, bob, 1);
        vm.warp(_now() + 12);
        Step memory answer = _signedAccept(bob.privateKey, requestId, alice.id, bob.id, _step(2));
        bytes memory call = abi.encodeCall(
            IMessenger.acceptAuth,
            (requestFields[requestId], answer.ephemeralKey, answer.signedAt, answer.sealedPayload, answer.signature)
        );

        // The event carries Bob's ephemeral key and signature, exactly as his own submission would.
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.AuthAccepted(
            alice.id, bob.id, requestId, answer.ephemeralKey, answer.signedAt, answer.sealedPayload, answer.signature
        );
        vmr.recordLogs();
        _submitAs(throughRelay, call);
        _assertRequest(requestId, IMessenger.RequestStatus.Accepted, _now());
        RecordingVm.Log[] memory logs = vmr.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one event");
        vm.assertEq(logs[0].emitter, address(messenger), "emitted by the messenger, not the relay");

        // Bob's own transaction, behind it, reverts and changes nothing.
        bytes memory before = _requestState(requestId);
        vm.expectRevert(abi.encodeWithSelector(IMessenger.AlreadyAccepted.selector, requestId));
        vm.prank(bob.account);
        _call(call);
        _assertRequestUnchanged(requestId, before);
    }

    /// @dev Mallory submits `call` to the messenger, directly or through her relay contract.
    function _submitAs(bool throughRelay, bytes memory call) internal returns (bytes memory) {
        vm.prank(MALLORY);
        if (throughRelay) {
            return relay.forward(address(messenger), call);
        }
        return _call(call);
    }

    /// @dev Calls the messenger with `data`, bubbling up a revert so vm.expectRevert sees it.
    function _call(bytes memory data) internal returns (bytes memory result) {
        bool ok;
        (ok, result) = address(messenger).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
