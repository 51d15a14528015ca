// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title Signature recovery from calldata
/// @notice `ECDSA.tryRecoverCalldata` of OpenZeppelin Contracts 5.5+, for 5.4: it reads r, s and v
/// straight from calldata instead of copying the signature to memory. peerkey stays on
/// OpenZeppelin 5.4 because from 5.5 on `EIP712` imports `Strings`, which imports `Bytes`, whose
/// `mcopy` only compiles for Cancun, and the contracts are built for Shanghai (see hardhat.config.js).
library CalldataSignature {
    /// @notice The signer of `hash`, with OpenZeppelin's checks: 65 bytes, low s, a valid v.
    function tryRecover(bytes32 hash, bytes calldata signature)
        internal
        pure
        returns (address recovered, ECDSA.RecoverError err, bytes32 errArg)
    {
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            return ECDSA.tryRecover(hash, v, r, s);
        }
        return (address(0), ECDSA.RecoverError.InvalidSignatureLength, bytes32(signature.length));
    }
}
