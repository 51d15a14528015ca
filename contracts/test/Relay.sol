// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Test-only call relay
/// @notice Stands for whatever contract a front-runner (or a multisig, a Safe, an ERC-4337
/// bundler) might submit someone's signed call through: integration tests copy an owner's
/// calldata and send it through here, so the target sees this contract as msg.sender.
contract Relay {
    /// @notice A call was forwarded and succeeded.
    /// @param target the contract called
    /// @param selector the first four bytes of the forwarded calldata
    event Forwarded(address indexed target, bytes4 selector);

    /// @notice Calls `target` with `data`; a revert is passed on with the target's own revert data.
    /// @param target the contract to call
    /// @param data the complete calldata (selector and arguments)
    /// @return result what the target returned
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        (bool ok, bytes memory returned) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(returned, 32), mload(returned))
            }
        }
        emit Forwarded(target, bytes4(data));
        return returned;
    }
}
