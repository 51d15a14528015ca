package dev.peerkey.handshake;

import static dev.peerkey.handshake.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class PayloadTest {
    @Test
    void endpointsParseAndPrintBack() {
        for (String text : new String[] {"alice.example:7000", "localhost:1", "127.0.0.1:65535", "[::1]:7001",
                "[2001:db8::8a2e:370:7334]:443", "[::ffff:192.0.2.1]:80", "a-b.c-d.example:9", "0.0.0.0:8080",
                "xn--bcher-kva.example:5"}) {
            Endpoint e = Endpoint.parse(text);
            assertEquals(text, e.toString());
            assertEquals(e, Endpoint.parse(text));
        }
        Endpoint v6 = Endpoint.parse("[::1]:7001");
        assertEquals("::1", v6.host());
        assertEquals(7001, v6.port());
        assertEquals(Endpoint.of("::1", 7001), v6);
        assertEquals(Endpoint.parse("Alice.Example:7000"), Endpoint.parse("alice.example:7000"));
        assertEquals(Endpoint.parse("Alice.Example:7000").hashCode(), Endpoint.parse("alice.example:7000").hashCode());
    }

    @Test
    void malformedEndpointsAreRefused() {
        for (String bad : new String[] {"", "host", "host:", ":80", "host:0", "host:65536", "host:080", "host:+80",
                "host:8a", "host:123456", "ho st:80", "host_name:80", "-host:80", "host-:80", "a..b:80", ".a:80",
                "a.:80", "::1:80", "[::1:80", "[]:80", "[zz::1]:80", "[:::1]:80", "256.1.1.1:80", "1.2.3:80",
                "01.2.3.4:80", "1.2.3.4.5:80", "höst:80", "host:80\n", "a".repeat(64) + ".example:80",
                ("abcdefghi.".repeat(26)) + "x:80"}) {
            fails(HandshakeException.class, () -> Endpoint.parse(bad));
        }
        fails(HandshakeException.class, () -> Endpoint.parse(null));
        fails(HandshakeException.class, () -> Endpoint.of("host", 0));
        fails(HandshakeException.class, () -> Endpoint.of("", 80));
    }

    @Test
    void payloadRoundTripsEveryCombination() {
        Endpoint endpoint = Endpoint.parse("[2001:db8::1]:7000");
        byte[] tag = Fixtures.random(32);
        for (Payload p : new Payload[] {Payload.empty(), Payload.of(endpoint, null), Payload.of(null, tag),
                Payload.of(endpoint, tag)}) {
            Payload back = Payload.fromBytes(p.toBytes());
            assertEquals(p, back);
            assertEquals(p.endpoint(), back.endpoint());
            assertEquals(p.confirmation().isPresent(), back.confirmation().isPresent());
            back.confirmation().ifPresent(t -> assertArrayEquals(tag, t));
        }
        assertNotEquals(Payload.of(null, tag), Payload.of(null, Fixtures.random(32)));
    }

    @Test
    void payloadLayoutIsAsDocumented() {
        byte[] tag = Fixtures.random(32);
        byte[] bytes = Payload.of(Endpoint.parse("h.example:7"), tag).toBytes();
        byte[] endpoint = "h.example:7".getBytes(StandardCharsets.US_ASCII);
        assertEquals(2 + 1 + endpoint.length + 32, bytes.length);
        assertEquals(1, bytes[0]);
        assertEquals(0x03, bytes[1]);
        assertEquals(endpoint.length, bytes[2]);
        assertArrayEquals(endpoint, Arrays.copyOfRange(bytes, 3, 3 + endpoint.length));
        assertArrayEquals(tag, Arrays.copyOfRange(bytes, 3 + endpoint.length, bytes.length));
        assertArrayEquals(new byte[] {1, 0}, Payload.empty().toBytes());
    }

    @Test
    void malformedPayloadsAreRefused() {
        byte[] good = Payload.of(Endpoint.parse("h.example:7"), Fixtures.random(32)).toBytes();
        byte[][] bad = {
            {},
            {1},
            {2, 0},                          // unknown version
            {1, 16},                         // unknown flag
            {1, 8, 0},                       // padding length cut short
            {1, 8, 0, 2, 0},                 // padding shorter than it says
            {1, 8, 0, 1, 7},                 // padding not zeros
            {1, 4},                          // messages flag, no count
            {1, 4, 0},                       // messages flag, none carried
            {1, 1},                          // endpoint flag, no length
            {1, 1, 0},                       // empty endpoint
            {1, 1, 5, 'h', ':', '8'},        // cut short
            {1, 1, 3, 'h', ':', '0'},        // port 0
            {1, 1, 4, 'h', ' ', ':', '8'},   // not printable
            {1, 2, 1, 2, 3},                 // tag cut short
            {1, 0, 0},                       // trailing byte
            Arrays.copyOf(good, good.length + 1),
            Arrays.copyOf(good, good.length - 1),
        };
        for (byte[] b : bad) {
            fails(SealedPayloadException.class, () -> Payload.fromBytes(b));
        }
        assertTrue(fails(SealedPayloadException.class, () -> Payload.fromBytes(new byte[] {7, 0}))
                .getMessage().contains("unknown version 7"));
        fails(HandshakeException.class, () -> Payload.of(null, new byte[31]));
    }

    @Test
    void firstMessagesRoundTripWithTheirIdsAndTimes() {
        FirstMessage hi = message("hi Bob", 1_700_000_000_123L);
        FirstMessage two = message("ünïcode ✓", 1_700_000_000_456L);
        Payload p = Payload.of(Endpoint.parse("h.example:7"), null, List.of(hi, two));
        Payload back = Payload.fromBytes(p.toBytes());
        assertEquals(p, back);
        assertEquals(List.of(hi, two), back.messages());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_456L), back.messages().get(1).sentAt());
        assertEquals("ünïcode ✓", new String(back.messages().get(1).text(), StandardCharsets.UTF_8));
        byte[] bytes = Payload.of(null, null, List.of(hi)).toBytes();
        assertEquals(0x04, bytes[1]);
        assertEquals(1, bytes[2]);
        assertEquals(2 + 1 + 16 + 8 + 2 + 6, bytes.length);
        assertEquals(bytes.length, Payload.lengthWith(List.of(hi)));
        assertTrue(Payload.empty().messages().isEmpty());
    }

    @Test
    void firstMessagesOutsideTheLimitsAreRefused() {
        FirstMessage hi = message("hi", 1L);
        fails(HandshakeException.class, () -> Payload.of(null, null, List.of(hi, hi))); // one ID twice
        fails(HandshakeException.class, () -> new FirstMessage(new byte[16], Instant.EPOCH, new byte[0]));
        fails(HandshakeException.class, () -> new FirstMessage(new byte[15], Instant.EPOCH, new byte[] {1}));
        byte[] big = new byte[Payload.MAX_LENGTH];
        Arrays.fill(big, (byte) 'a');
        assertTrue(fails(HandshakeException.class, () -> Payload.of(null, null,
                List.of(new FirstMessage(Fixtures.random(16), Instant.EPOCH, Arrays.copyOf(big, 0xFFFF)))))
                .getMessage().contains("at most " + Payload.MAX_LENGTH));
        // The largest text that fits still seals within the contract's limit.
        int fits = Payload.MAX_LENGTH - Payload.lengthWith(List.of(message("x", 1L))) + 1;
        Payload full = Payload.of(null, null, List.of(new FirstMessage(Fixtures.random(16), Instant.EPOCH,
                Arrays.copyOf(big, fits))));
        assertEquals(Payload.MAX_LENGTH, full.toBytes().length);

        byte[] good = Payload.of(null, null, List.of(hi)).toBytes();
        fails(SealedPayloadException.class, () -> Payload.fromBytes(Arrays.copyOf(good, good.length - 1)));
        fails(SealedPayloadException.class, () -> Payload.fromBytes(Arrays.copyOf(good, good.length + 1)));
        byte[] emptyText = good.clone();
        emptyText[2 + 1 + 16 + 8] = 0;
        emptyText[2 + 1 + 16 + 8 + 1] = 0;
        fails(SealedPayloadException.class, () -> Payload.fromBytes(emptyText));
    }

    @Test
    void aPaddedPayloadSealsToASizeClassAndReadsBackTheSame() {
        for (String text : new String[] {"hi", "x".repeat(300), "y".repeat(3000), "z".repeat(12000)}) {
            Payload p = Payload.of(Endpoint.parse("h.example:7"), null, List.of(message(text, 5L))).padded();
            int sealed = p.toBytes().length + Ecies.OVERHEAD;
            assertTrue(List.of(256, 1024, 4096, 16384).contains(sealed), text.length() + " -> " + sealed);
            assertEquals(p, Payload.fromBytes(p.toBytes()));
            assertEquals(text, new String(Payload.fromBytes(p.toBytes()).messages().get(0).text(),
                    StandardCharsets.UTF_8));
        }
        assertEquals(256, Payload.of(null, null, List.of(message("a", 1L))).padded().toBytes().length + Ecies.OVERHEAD);
        assertEquals(1024, Payload.of(null, null, List.of(message("b".repeat(200), 1L))).padded().toBytes().length
                + Ecies.OVERHEAD);
    }

    private static FirstMessage message(String text, long millis) {
        return new FirstMessage(Fixtures.random(16), Instant.ofEpochMilli(millis), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void toStringHidesTheFields() {
        byte[] tag = Fixtures.random(32);
        String s = Payload.of(Endpoint.parse("secret-host.example:7000"), tag).toString();
        assertFalse(s.contains("secret-host"), s);
        Fixtures.assertNoSecret(s, tag);
        assertEquals("Payload[endpoint=present, confirmation=present]", s);
    }
}
