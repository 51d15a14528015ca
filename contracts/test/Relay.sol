// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title A relay contract, as a front-runner or a multicall would use one
/// @notice Forwards any calldata to any contract, so the target sees the relay as `msg.sender`
/// and the relay's caller as `tx.origin`. Tests use it to submit someone else's signed call.
contract Relay {
    /// @notice Emitted for every forwarded call that succeeded.
    event Forwarded(address indexed target, bytes4 selector);

    /// @notice Calls `target` with `data`; a revert is passed on with its data unchanged.
    /// @return result What the target returned.
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        emit Forwarded(target, bytes4(data));
    }
}
