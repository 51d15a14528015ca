// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The cheatcodes these tests use
/// @notice A minimal subset of the Foundry cheatcode interface that Hardhat's EDR implements
/// (forge-std is not a dependency). Each one is exercised by the registry tests.
interface Vm {
    function warp(uint256 newTimestamp) external;
    function roll(uint256 newHeight) external;
    function chainId(uint256 newChainId) external;
    function prank(address msgSender) external;
    function prank(address msgSender, address txOrigin) external;
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter)
        external;

    function assertTrue(bool condition, string calldata message) external pure;
    function assertEq(bool left, bool right, string calldata message) external pure;
    function assertEq(uint256 left, uint256 right, string calldata message) external pure;
    function assertEq(address left, address right, string calldata message) external pure;
    function assertEq(bytes32 left, bytes32 right, string calldata message) external pure;
    function assertEq(bytes calldata left, bytes calldata right, string calldata message) external pure;
}

/// @dev The cheatcodes answer at this address.
Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
