// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title A stand-in for a version 1 Messenger deployment
/// @notice Reports the EIP-712 domain of the version 1 Messenger ("peerkey Messenger", "1") and
/// nothing else, so the client's version check can be tested against a real contract.
contract MessengerV1Stub is EIP712 {
    constructor() EIP712("peerkey Messenger", "1") {}
}
