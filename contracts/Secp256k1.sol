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
    /// @notice Thrown when x is not the x-coordinate of a curve point: x >= p, or x^3 + 7 has
    /// no square root mod p.
    error InvalidPoint();

    /// @notice Whether a 64-byte key x || y is a point on the curve: x < p, y < p and
    /// y^2 = x^3 + 7 (mod p). The key must be 64 bytes long.
    function isOnCurve(bytes calldata publicKey) internal pure returns (bool onCurve) {
        assembly ("memory-safe") {
            let x := calldataload(publicKey.offset)
            let y := calldataload(add(publicKey.offset, 0x20))
            let rhs := addmod(mulmod(mulmod(x, x, P), x, P), 7, P)
            onCurve := and(and(lt(x, P), lt(y, P)), eq(mulmod(y, y, P), rhs))
        }
    }

    /// @notice The parity (0 or 1) of y in a 64-byte key x || y. The key must be 64 bytes long.
    function yParity(bytes calldata publicKey) internal pure returns (uint8 parity) {
        assembly ("memory-safe") {
            parity := and(calldataload(add(publicKey.offset, 0x20)), 1)
        }
    }

    /// @notice The 64-byte key x || y for the curve point with this x and y parity.
    /// @dev Reverts with {InvalidPoint} when no curve point has this x.
    function decompress(bytes32 x, uint8 parity) internal view returns (bytes memory) {
        return abi.encodePacked(x, _y(x, parity));
    }

    /// @notice The Ethereum address of the key with this x and y parity.
    /// @dev Reverts with {InvalidPoint} when no curve point has this x.
    function toAddress(bytes32 x, uint8 parity) internal view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(x, _y(x, parity))))));
    }

    /// @dev Solves y^2 = x^3 + 7 (mod p) and picks the root with the requested parity.
    function _y(bytes32 x, uint8 parity) private view returns (bytes32) {
        uint256 xx = uint256(x);
        if (xx >= P) revert InvalidPoint();
        uint256 rhs = _rhs(xx);
        uint256 y = _sqrt(rhs);
        // The exponentiation yields a root only when rhs is a square; check it squares back.
        if (mulmod(y, y, P) != rhs) revert InvalidPoint();
        if (y & 1 != parity) {
            // y = 0 cannot occur: the curve's order is prime, so no point has order 2.
            y = P - y;
        }
        return bytes32(y);
    }

    /// @dev x^3 + 7 mod p.
    function _rhs(uint256 x) private pure returns (uint256) {
        return addmod(mulmod(mulmod(x, x, P), x, P), 7, P);
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
