package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The safety number is the same on both sides, changes with either key, and matches an independent computation. */
class SafetyNumberTest {
    /** 1·G and 2·G on secp256k1. */
    private static final PublicKey ONE = PublicKey.fromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b"
            + "16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    private static final PublicKey TWO = PublicKey.fromHex("c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b9"
            + "5c709ee51ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a");

    private static PeerId id(int fill) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) fill);
        return PeerId.of(b);
    }

    @Test
    void matchesAnIndependentComputation() {
        // Computed with Python's hashlib: SHA-512 of 0x0001 || label || key || id, then 5,199 times of hash || key.
        assertEquals("09949 01226 21899 34671 12183 19552 84114 99739 07948 32874 45695 39323",
                SafetyNumber.of(id(0x11), ONE, id(0x22), TWO).toString());
    }

    @Test
    void bothSidesComputeTheSameNumber() {
        SafetyNumber alices = SafetyNumber.of(id(0x11), ONE, id(0x22), TWO);
        SafetyNumber bobs = SafetyNumber.of(id(0x22), TWO, id(0x11), ONE);
        assertEquals(alices, bobs);
        assertEquals(60, alices.digits().length());
        assertTrue(alices.digits().chars().allMatch(Character::isDigit));
        assertEquals(12, alices.groups().size());
        assertEquals(3, alices.formatted().lines().count());
    }

    @Test
    void aChangedKeyOrIdentityChangesTheNumber() {
        SafetyNumber before = SafetyNumber.of(id(0x11), ONE, id(0x22), TWO);
        PublicKey rotated = IdentityKey.generate().publicKey();
        assertNotEquals(before, SafetyNumber.of(id(0x11), ONE, id(0x22), rotated));
        assertNotEquals(before, SafetyNumber.of(id(0x11), rotated, id(0x22), TWO));
        assertNotEquals(before, SafetyNumber.of(id(0x33), ONE, id(0x22), TWO));
    }
}
