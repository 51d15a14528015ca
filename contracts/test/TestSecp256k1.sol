// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Test-only secp256k1 public key derivation
/// @notice Hardhat's EDR has no cheatcode that returns a public key (vm.createWallet is not
/// supported), so tests compute privateKey * G here: double-and-add in Jacobian coordinates,
/// a few hundred thousand gas per key. Callers cross-check the result against vm.addr.
library TestSecp256k1 {
    uint256 internal constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798;
    uint256 internal constant GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8;

    /// @notice The 64-byte uncompressed public key x || y of `privateKey` (1 <= privateKey < N).
    function publicKey(uint256 privateKey) internal view returns (bytes memory) {
        require(privateKey != 0 && privateKey < N, "TestSecp256k1: private key out of range");
        uint256 bit = 255;
        while ((privateKey >> bit) & 1 == 0) {
            bit--;
        }
        // Start at G for the top bit, then double for each lower bit and add G where it is set.
        // For 1 <= k < N no intermediate sum is +-G or infinity, so the formulas need no special cases.
        (uint256 x, uint256 y, uint256 z) = (GX, GY, 1);
        while (bit > 0) {
            bit--;
            (x, y, z) = _double(x, y, z);
            if ((privateKey >> bit) & 1 == 1) {
                (x, y, z) = _addG(x, y, z);
            }
        }
        uint256 zInv = _modExp(z, P - 2);
        uint256 zInv2 = mulmod(zInv, zInv, P);
        return abi.encodePacked(mulmod(x, zInv2, P), mulmod(y, mulmod(zInv2, zInv, P), P));
    }

    /// @dev 2 * (x, y, z) on y^2 = x^3 + 7: M = 3x^2, S = 4xy^2, x' = M^2 - 2S,
    /// y' = M(S - x') - 8y^4, z' = 2yz.
    function _double(uint256 x, uint256 y, uint256 z) private pure returns (uint256, uint256, uint256) {
        uint256 yy = mulmod(y, y, P);
        uint256 s = mulmod(4, mulmod(x, yy, P), P);
        uint256 m = mulmod(3, mulmod(x, x, P), P);
        uint256 x3 = addmod(mulmod(m, m, P), P - mulmod(2, s, P), P);
        uint256 y3 = addmod(mulmod(m, addmod(s, P - x3, P), P), P - mulmod(8, mulmod(yy, yy, P), P), P);
        uint256 z3 = mulmod(2, mulmod(y, z, P), P);
        return (x3, y3, z3);
    }

    /// @dev (x, y, z) + G, with G in affine coordinates: U2 = Gx z^2, S2 = Gy z^3, H = U2 - x,
    /// R = S2 - y, x' = R^2 - H^3 - 2xH^2, y' = R(xH^2 - x') - yH^3, z' = zH.
    function _addG(uint256 x, uint256 y, uint256 z) private pure returns (uint256, uint256, uint256) {
        uint256 zz = mulmod(z, z, P);
        uint256 h = addmod(mulmod(GX, zz, P), P - x, P);
        uint256 r = addmod(mulmod(GY, mulmod(zz, z, P), P), P - y, P);
        require(h != 0, "TestSecp256k1: degenerate addition");
        uint256 hh = mulmod(h, h, P);
        uint256 hhh = mulmod(hh, h, P);
        uint256 v = mulmod(x, hh, P);
        uint256 x3 = addmod(addmod(mulmod(r, r, P), P - hhh, P), P - mulmod(2, v, P), P);
        uint256 y3 = addmod(mulmod(r, addmod(v, P - x3, P), P), P - mulmod(y, hhh, P), P);
        return (x3, y3, mulmod(z, h, P));
    }

    function _modExp(uint256 base, uint256 exponent) private view returns (uint256 result) {
        (bool ok, bytes memory out) = address(0x05).staticcall(abi.encode(32, 32, 32, base, exponent, P));
        require(ok, "TestSecp256k1: modexp failed");
        result = abi.decode(out, (uint256));
    }
}
