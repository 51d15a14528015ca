// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title A stand-in for a version 2 Messenger deployed before `postBatch` existed
/// @notice Reports the version 2 EIP-712 domain and has the mailbox's `post`, but no
/// `postBatch`: a call to it reverts without data, as on such a deployment. Lets the client's
/// fallback to single posts be tested against a real contract.
contract MessengerWithoutBatch is EIP712 {
    /// @notice The mailbox event, as the Messenger emits it.
    event Posted(bytes32 indexed recipientTag, bytes envelope);

    constructor() EIP712("peerkey Messenger", "2") {}

    /// @notice Emits the envelope under its tag, like the Messenger's `post`.
    function post(bytes32 recipientTag, bytes calldata envelope) external {
        emit Posted(recipientTag, envelope);
    }
}
