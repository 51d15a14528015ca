// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title A stand-in for a version-1 peerkey registry
/// @notice It answers `eip712Domain()` as a version-1 deployment does, which is all a client reads
/// to tell the versions apart; integration tests deploy it to see the client refuse it.
contract VersionOneRegistry is EIP712 {
    constructor() EIP712("peerkey IdentityRegistry", "1") {}
}
