package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

class IdentityKeyTest {
    // Hardhat's well-known development accounts #0 and #1 (public test keys, never funded).
    static final String HARDHAT0_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String HARDHAT0_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final String HARDHAT1_KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final String HARDHAT1_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    static final BigInteger N = new BigInteger(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);

    static IdentityKey hardhat0() {
        return IdentityKey.fromPrivateKey(new BigInteger(HARDHAT0_KEY, 16));
    }

    @Test
    void idIsKeccakOfPublicKeyAndEndsWithTheKnownAddress() {
        for (String[] v : new String[][] {{HARDHAT0_KEY, HARDHAT0_ADDRESS}, {HARDHAT1_KEY, HARDHAT1_ADDRESS}}) {
            IdentityKey key = IdentityKey.fromPrivateKey(new BigInteger(v[0], 16));
            byte[] id = key.id().bytes();
            assertArrayEquals(Hash.sha3(key.publicKey().bytes()), id);
            byte[] expectedAddress = HexFormat.of().parseHex(v[1].substring(2).toLowerCase(Locale.ROOT));
            assertArrayEquals(expectedAddress, Arrays.copyOfRange(id, 12, 32));
            assertEquals(v[1], key.address());
            assertEquals(v[1], key.id().address());
            assertEquals(v[1], key.publicKey().address());
            assertEquals(v[1].toLowerCase(Locale.ROOT), key.credentials().getAddress());
        }
    }

    @Test
    void privateKeyRangeIsChecked() {
        for (BigInteger bad : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE.negate(), N, N.add(BigInteger.ONE)}) {
            MalformedKeyException e = assertThrows(MalformedKeyException.class,
                    () -> IdentityKey.fromPrivateKey(bad));
            assertTrue(e.getMessage().contains("out of range"), e.getMessage());
            if (bad.bitLength() > 8) { // the value itself is never echoed
                assertFalse(e.getMessage().contains(bad.toString(16)), e.getMessage());
            }
        }
        assertThrows(MalformedKeyException.class, () -> IdentityKey.fromPrivateKey(null));
        // The extremes of the valid range work.
        IdentityKey.fromPrivateKey(BigInteger.ONE);
        IdentityKey.fromPrivateKey(N.subtract(BigInteger.ONE));
    }

    @Test
    void generateGivesDistinctValidKeys() {
        IdentityKey a = IdentityKey.generate();
        IdentityKey b = IdentityKey.generate();
        assertNotEquals(a.id(), b.id());
        assertTrue(a.publicKey().point().isValid());
        assertEquals(a.id(), PeerId.of(a.publicKey()));
    }

    /** A scripted random source, so the rejection of 0 and values >= n is exercised. */
    static final class ScriptedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient Deque<byte[]> outputs = new ArrayDeque<>();

        ScriptedRandom(byte[]... outputs) {
            this.outputs.addAll(Arrays.asList(outputs));
        }

        @Override
        public void nextBytes(byte[] bytes) {
            byte[] next = outputs.removeFirst();
            System.arraycopy(next, 0, bytes, 0, bytes.length);
        }
    }

    @Test
    void generateRejectsZeroAndValuesNotBelowTheOrder() {
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xff);
        byte[] zero = new byte[32];
        byte[] order = HexFormat.of().parseHex(N.toString(16));
        byte[] good = HexFormat.of().parseHex(HARDHAT0_KEY);
        IdentityKey key = IdentityKey.generate(new ScriptedRandom(ff, zero, order, good));
        assertEquals(HARDHAT0_ADDRESS, key.address());
    }

    @Test
    void toStringShowsTheIdButNeverTheSecret() {
        IdentityKey key = hardhat0();
        String s = key.toString();
        assertEquals("IdentityKey[id=" + key.id().hex() + "]", s);
        assertNoSecret(s, HARDHAT0_KEY);
    }

    static void assertNoSecret(String text, String privateKeyHex) {
        String lower = text.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains(privateKeyHex.toLowerCase(Locale.ROOT)), "private key hex leaked: " + text);
        assertFalse(text.contains(new BigInteger(privateKeyHex, 16).toString()), "private key leaked: " + text);
    }

    @Test
    void credentialsCarryTheSameKey() {
        IdentityKey key = hardhat0();
        assertEquals(new BigInteger(HARDHAT0_KEY, 16), key.credentials().getEcKeyPair().getPrivateKey());
        assertEquals(Keys.toChecksumAddress(key.credentials().getAddress()), key.address());
    }
}
