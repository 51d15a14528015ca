// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessenger} from "../IMessenger.sol";
import {MessengerTestBase, RecordingVm, vmr} from "./MessengerTestBase.sol";
import {vm} from "./Vm.sol";

/// @notice {IMessenger.postBatch}: several envelopes in one transaction, each emitted exactly as
/// {IMessenger.post} emits it, or none at all.
contract MessengerBatchTest is MessengerTestBase {
    function _batch(uint256 count, uint256 length)
        internal
        pure
        returns (bytes32[] memory tags, bytes[] memory envelopes)
    {
        tags = new bytes32[](count);
        envelopes = new bytes[](count);
        for (uint256 i; i < count; ++i) {
            tags[i] = keccak256(abi.encode("tag", i));
            envelopes[i] = _payload(i, length);
        }
    }

    function test_PostBatch_EmitsOnePostedPerEnvelopeInOrderAndStoresNothing() public {
        (bytes32[] memory tags, bytes[] memory envelopes) = _batch(5, 256);
        for (uint256 i; i < 5; ++i) {
            vm.expectEmit(true, true, true, true, address(messenger));
            emit IMessenger.Posted(tags[i], envelopes[i]);
        }
        vmr.record();
        vmr.recordLogs();
        vm.prank(address(0x57A4)); // No identity needed.
        messenger.postBatch(tags, envelopes);

        (bytes32[] memory reads, bytes32[] memory writes) = vmr.accesses(address(messenger));
        vm.assertEq(writes.length, 0, "postBatch writes storage");
        vm.assertEq(reads.length, 0, "postBatch reads storage");
        RecordingVm.Log[] memory logs = vmr.getRecordedLogs();
        vm.assertEq(logs.length, 5, "one event per envelope");
        for (uint256 i; i < 5; ++i) {
            vm.assertEq(logs[i].topics.length, 2, "topics");
            vm.assertEq(logs[i].topics[0], IMessenger.Posted.selector, "the Posted event");
            vm.assertEq(logs[i].topics[1], tags[i], "tag topic");
            vm.assertEq(abi.decode(logs[i].data, (bytes)), envelopes[i], "envelope");
        }
    }

    function test_PostBatch_OfOneIsAPost() public {
        (bytes32[] memory tags, bytes[] memory envelopes) = _batch(1, MAX_LENGTH);
        vm.expectEmit(true, true, true, true, address(messenger));
        emit IMessenger.Posted(tags[0], envelopes[0]);
        messenger.postBatch(tags, envelopes);
    }

    function test_PostBatch_RevertsOnEmptyBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IMessenger.EmptyBatch.selector));
        messenger.postBatch(new bytes32[](0), new bytes[](0));
    }

    function test_PostBatch_RevertsOnLengthMismatch() public {
        (bytes32[] memory tags, bytes[] memory envelopes) = _batch(3, 10);
        bytes32[] memory twoTags = new bytes32[](2);
        vm.expectRevert(abi.encodeWithSelector(IMessenger.BatchLengthMismatch.selector, 2, 3));
        messenger.postBatch(twoTags, envelopes);
        vm.expectRevert(abi.encodeWithSelector(IMessenger.BatchLengthMismatch.selector, 3, 0));
        messenger.postBatch(tags, new bytes[](0));
    }

    function test_PostBatch_NamesTheFirstEmptyOrOversizeEnvelopeAndEmitsNothing() public {
        (bytes32[] memory tags, bytes[] memory envelopes) = _batch(4, 10);
        envelopes[2] = "";
        envelopes[3] = _payload(9, MAX_LENGTH + 1);
        vmr.recordLogs();
        vm.expectRevert(abi.encodeWithSelector(IMessenger.InvalidBatchEnvelope.selector, 2, 0));
        messenger.postBatch(tags, envelopes);
        envelopes[2] = hex"01";
        vm.expectRevert(abi.encodeWithSelector(IMessenger.InvalidBatchEnvelope.selector, 3, MAX_LENGTH + 1));
        messenger.postBatch(tags, envelopes);
        vm.assertEq(vmr.getRecordedLogs().length, 0, "a refused batch emits nothing");
    }

    /// @dev Any batch of valid envelopes is emitted unchanged, in order; one bad envelope anywhere refuses it.
    function testFuzz_PostBatch(uint8 count, uint256 seed, uint256 badAt, uint256 badLength) public {
        count = uint8(bound(count, 1, 12));
        bytes32[] memory tags = new bytes32[](count);
        bytes[] memory envelopes = new bytes[](count);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            tags[i] = bytes32(r);
            envelopes[i] = _payload(r, 1 + r % 600);
        }
        bool bad = badAt % 3 == 0;
        if (bad) {
            uint256 index = badAt % count;
            uint256 length = badLength % 2 == 0 ? 0 : MAX_LENGTH + 1 + badLength % 100;
            envelopes[index] = new bytes(length);
            vm.expectRevert(abi.encodeWithSelector(IMessenger.InvalidBatchEnvelope.selector, index, length));
        } else {
            for (uint256 i; i < count; ++i) {
                vm.expectEmit(true, true, true, true, address(messenger));
                emit IMessenger.Posted(tags[i], envelopes[i]);
            }
        }
        messenger.postBatch(tags, envelopes);
    }

    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + x % (hi - lo + 1);
    }
}
