package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.session.Envelope;
import dev.peerkey.store.MessageId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00.123Z");

    @Test
    void textRoundTripsPaddedToTheSmallestEnvelope() {
        Packet packet = Packet.text("hello, Bob ✓", NOW);
        byte[] encoded = packet.encode();
        assertEquals(Padding.ENVELOPE_SIZES.get(0) - Envelope.OVERHEAD, encoded.length);
        Packet decoded = Packet.decode(encoded);
        assertEquals(packet, decoded);
        assertEquals("hello, Bob ✓", decoded.text());
        assertEquals(NOW, decoded.sentAt());
        assertTrue(Packet.HEADER_SIZE + Envelope.OVERHEAD <= 100, "envelope + packet overhead stays within 100 bytes");
    }

    @Test
    void acknowledgementsCarryTheIds() {
        List<MessageId> ids = List.of(MessageId.random(), MessageId.random(), MessageId.random());
        Packet ack = Packet.decode(Packet.ack(ids, NOW).encode());
        assertEquals(Packet.Type.ACK, ack.type());
        assertEquals(ids, ack.acknowledged());
        assertFalse(ack.type().acknowledged(), "acknowledgements are not acknowledged");
        assertTrue(Packet.Type.TEXT.acknowledged());
    }

    @Test
    void malformedPacketsAreRefusedWithTheReason() {
        assertTrue(assertThrows(MessagingException.class, () -> Packet.decode(new byte[5])).getMessage()
                .contains("shorter than a packet header"));
        byte[] wrongVersion = Packet.text("x", NOW).encode();
        wrongVersion[0] = 9;
        assertTrue(assertThrows(MessagingException.class, () -> Packet.decode(wrongVersion)).getMessage()
                .contains("version 9"));
        byte[] wrongType = Packet.text("x", NOW).encode();
        wrongType[1] = 42;
        assertTrue(assertThrows(MessagingException.class, () -> Packet.decode(wrongType)).getMessage()
                .contains("unknown packet type 42"));
        Packet text = Packet.text("not an ack", NOW);
        assertThrows(MessagingException.class, text::acknowledged);
    }

    @Test
    void toStringNeverShowsTheText() {
        Packet packet = Packet.text("a secret plan", NOW);
        assertFalse(packet.toString().contains("secret"));
        assertArrayEquals(packet.body(), Packet.decode(packet.encode()).body());
    }
}
