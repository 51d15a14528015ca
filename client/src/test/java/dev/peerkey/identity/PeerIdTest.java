package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class PeerIdTest {

    @Test
    void parseAndHexRoundTrip() {
        PeerId id = IdentityKeyTest.hardhat0().id();
        String hex = id.hex();
        assertTrue(hex.matches("0x[0-9a-f]{64}"), hex);
        assertEquals(id, PeerId.parse(hex));
        assertEquals(id, PeerId.parse(hex.toUpperCase(Locale.ROOT)));   // "0X" and upper-case digits
        assertEquals(id, PeerId.parse(hex.substring(2)));                // prefix optional
        assertEquals(id, PeerId.of(id.bytes()));
        assertEquals(hex, id.toString());
        assertEquals(id.hashCode(), PeerId.parse(hex).hashCode());
    }

    @Test
    void parseRejectsBadInputClearly() {
        String good = IdentityKeyTest.hardhat0().id().hex();
        for (String bad : new String[] {"", "0x", good.substring(0, 65), good + "0", good.replace('a', 'g'),
                good.substring(0, 64) + "\u0663", " " + good}) {
            MalformedKeyException e = assertThrows(MalformedKeyException.class, () -> PeerId.parse(bad));
            assertTrue(e.getMessage().startsWith("peer ID"), e.getMessage());
        }
        assertThrows(MalformedKeyException.class, () -> PeerId.parse(null));
        MalformedKeyException e = assertThrows(MalformedKeyException.class, () -> PeerId.of(new byte[31]));
        assertEquals("peer ID must be 32 bytes, got 31", e.getMessage());
    }

    @Test
    void bytesAreDefensiveCopies() {
        byte[] raw = new byte[32];
        PeerId id = PeerId.of(raw);
        raw[0] = 1;
        assertEquals(0, id.bytes()[0]);
        id.bytes()[1] = 1;
        assertArrayEquals(new byte[32], id.bytes());
    }

    @Test
    void matchesItsKeyOnly() {
        IdentityKey a = IdentityKeyTest.hardhat0();
        IdentityKey b = IdentityKey.generate();
        assertTrue(a.id().matches(a.publicKey()));
        assertFalse(a.id().matches(b.publicKey()));
        assertFalse(a.id().matches(null));
        assertNotEquals(a.id(), b.id());
    }

    @Test
    void ordersAsUnsignedBytes() {
        byte[] low = new byte[32];
        byte[] high = new byte[32];
        high[0] = (byte) 0x80; // negative as a signed byte
        byte[] mid = new byte[32];
        mid[0] = 0x7f;
        List<PeerId> ids = new ArrayList<>(List.of(PeerId.of(high), PeerId.of(low), PeerId.of(mid)));
        Collections.sort(ids);
        assertEquals(List.of(PeerId.of(low), PeerId.of(mid), PeerId.of(high)), ids);
    }
}
