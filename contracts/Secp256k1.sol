// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Compressed secp256k1 public keys
/// @notice A public key (x, y) is stored as x and the parity of y; y is recomputed when
/// needed. This halves the storage a key needs, which dominates the cost of registration.
library Secp256k1 {
    /// @dev The field prime p = 2^256 - 2^32 - 977.
    uint256 internal constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;

    /// @dev (p + 1) / 4: since p = 3 mod 4, a^((p + 1) / 4) is a square root of a when one exists.
    uint256 private constant SQRT_EXPONENT = 0x3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFBFFFFF0C;

    /// @notice Thrown when the modexp precompile call fails (only possible when out of gas).
    error ModExpFailed();

    /// @notice The parity (0 or 1) of y in a 64-byte key x || y. The key must be 64 bytes long.
    function yParity(bytes calldata publicKey) internal pure returns (uint8) {
        return uint8(publicKey[63]) & 1;
    }

    /// @notice The 64-byte key x || y for the curve point with this x and y parity.
    /// @dev Only meaningful when x is the x-coordinate of a point on the curve, which holds for
    /// every key the registry stores: the key's owner proved control of its address.
    function decompress(bytes32 x, uint8 parity) internal view returns (bytes memory) {
        return abi.encodePacked(x, _y(x, parity));
    }

    /// @notice The Ethereum address of the key with this x and y parity.
    function toAddress(bytes32 x, uint8 parity) internal view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(x, _y(x, parity))))));
    }

    /// @dev Solves y^2 = x^3 + 7 (mod p) and picks the root with the requested parity.
    function _y(bytes32 x, uint8 parity) private view returns (bytes32) {
        uint256 xx = uint256(x);
        uint256 rhs = addmod(mulmod(mulmod(xx, xx, P), xx, P), 7, P);
        uint256 y = _sqrt(rhs);
        if (y & 1 != parity) {
            y = P - y;
        }
        return bytes32(y);
    }

    /// @dev rhs^((p + 1) / 4) mod p through the modexp precompile.
    function _sqrt(uint256 rhs) private view returns (uint256 root) {
        bool ok;
        assembly ("memory-safe") {
            // Scratch memory past the free memory pointer; it is not allocated because
            // nothing else is written before the result is read.
            let ptr := mload(0x40)
            mstore(ptr, 0x20) // length of base
            mstore(add(ptr, 0x20), 0x20) // length of exponent
            mstore(add(ptr, 0x40), 0x20) // length of modulus
            mstore(add(ptr, 0x60), rhs)
            mstore(add(ptr, 0x80), SQRT_EXPONENT)
            mstore(add(ptr, 0xa0), P)
            // 0x05 is the modular exponentiation precompile (EIP-198).
            ok := staticcall(gas(), 0x05, ptr, 0xc0, ptr, 0x20)
            root := mload(ptr)
        }
        if (!ok) revert ModExpFailed();
    }
}
