package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class DisplayNameTest {

    private static PeerId idStartingWith(byte[] prefix) {
        byte[] raw = new byte[32];
        System.arraycopy(prefix, 0, raw, 0, prefix.length);
        raw[31] = 0x55; // bytes after the first ten do not matter
        return PeerId.of(raw);
    }

    @Test
    void encodesTheFirstEightyBitsAsRfc4648Base32() {
        // Expected values from an independent RFC 4648 encoder (Python's base64.b32encode).
        assertEquals("mzxw6ytbojrgc6tr",
                DisplayName.of(idStartingWith("foobarbazq".getBytes(StandardCharsets.US_ASCII))).value());
        assertEquals("aaaqeayeaudaocaj",
                DisplayName.of(idStartingWith(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})).value());
        assertEquals("aaaaaaaaaaaaaaaa", DisplayName.of(PeerId.of(new byte[32])).value());
        byte[] ones = new byte[10];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals("7777777777777777", DisplayName.of(idStartingWith(ones)).value());
    }

    @Test
    void isSixteenCharactersOfTheLowercaseAlphabet() {
        for (int i = 0; i < 50; i++) {
            DisplayName name = IdentityKey.generate().id().displayName();
            assertTrue(name.value().matches("[a-z2-7]{16}"), name.value());
            assertEquals(name.value(), name.toString());
        }
    }

    @Test
    void parseRoundTripsAndIgnoresCase() {
        PeerId id = IdentityKeyTest.hardhat0().id();
        DisplayName name = id.displayName();
        assertEquals(name, DisplayName.parse(name.value()));
        DisplayName upper = DisplayName.parse(name.value().toUpperCase(Locale.ROOT));
        assertEquals(name, upper);
        assertEquals(name.value(), upper.value());
        assertTrue(upper.matches(id));
        assertTrue(DisplayName.looksLike(name.value().toUpperCase(Locale.ROOT)));
    }

    @Test
    void detectsAMismatchingId() {
        PeerId id = IdentityKeyTest.hardhat0().id();
        PeerId other = IdentityKey.generate().id();
        assertFalse(id.displayName().matches(other));
        assertNotEquals(id.displayName(), other.displayName());
        assertFalse(id.displayName().matches(null));
        // Flip one bit inside the first 80 bits: the name must change.
        byte[] raw = id.bytes();
        raw[9] ^= 1;
        assertFalse(id.displayName().matches(PeerId.of(raw)));
        // Bits after the first 80 are not covered by the name, by design.
        raw = id.bytes();
        raw[10] ^= 1;
        assertTrue(id.displayName().matches(PeerId.of(raw)));
    }

    @Test
    void parseRejectsBadInputClearly() {
        assertEquals("display name must be 16 characters, got 15",
                assertThrows(MalformedKeyException.class, () -> DisplayName.parse("aaaaaaaaaaaaaaa")).getMessage());
        assertEquals("display name must be 16 characters, got 17",
                assertThrows(MalformedKeyException.class, () -> DisplayName.parse("aaaaaaaaaaaaaaaaa")).getMessage());
        for (String bad : new String[] {"aaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaa8", "aaaaaaaaaaaaaaa0",
                "aaaaaaaaaaaaaaa=", "aaaaaaaaaaaaaaa\u212a", "aaaaaaaaaaaaaaa\u0130"}) {
            MalformedKeyException e = assertThrows(MalformedKeyException.class, () -> DisplayName.parse(bad));
            assertTrue(e.getMessage().contains("a-z") && e.getMessage().contains("2-7"), e.getMessage());
            assertFalse(DisplayName.looksLike(bad), bad);
        }
        assertThrows(MalformedKeyException.class, () -> DisplayName.parse(null));
        assertThrows(MalformedKeyException.class, () -> DisplayName.parse(""));
        assertFalse(DisplayName.looksLike(null));
        assertFalse(DisplayName.looksLike(IdentityKeyTest.hardhat0().id().hex()));
        assertFalse(DisplayName.looksLike(IdentityKeyTest.HARDHAT0_ADDRESS));
    }

    @Test
    void prefixBytesAreTheFirstTenBytesOfTheId() {
        for (int i = 0; i < 50; i++) {
            PeerId id = IdentityKey.generate().id();
            byte[] prefix = java.util.Arrays.copyOf(id.bytes(), 10);
            org.junit.jupiter.api.Assertions.assertArrayEquals(prefix, id.displayName().prefixBytes());
            org.junit.jupiter.api.Assertions.assertArrayEquals(prefix,
                    DisplayName.parse(id.displayName().value().toUpperCase(Locale.ROOT)).prefixBytes());
        }
    }
}
