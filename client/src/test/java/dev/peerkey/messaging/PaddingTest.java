package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.Envelope;
import dev.peerkey.session.RatchetKeyPair;
import dev.peerkey.store.MessageId;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envelopes come in four sizes: every boundary, through a real ratchet. */
class PaddingTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00.123Z");
    private static final byte[] AD = "alice|bob|transcript".getBytes(StandardCharsets.US_ASCII);

    private final DoubleRatchet alice;
    private final DoubleRatchet bob;

    PaddingTest() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        alice = DoubleRatchet.initiator(secret, bobKey.publicKey(), AD);
        bob = DoubleRatchet.responder(secret, bobKey, AD);
    }

    /** The envelope of a text of {@code n} UTF-8 bytes, after checking that Bob reads it back. */
    private int envelopeOfText(int n) {
        String text = "x".repeat(n);
        byte[] envelope = alice.encrypt(Packet.text(text, NOW).encode());
        assertEquals(text, Packet.decode(bob.decrypt(envelope)).text());
        return envelope.length;
    }

    @Test
    void everyTextFromEmptyToTheMailboxLimitGoesInOneOfFourSizes() {
        int previousSize = 0;
        int lastText = -1;
        for (int size : Padding.ENVELOPE_SIZES) {
            int mostThatFits = size - Envelope.OVERHEAD - Packet.HEADER_SIZE;
            assertEquals(size, envelopeOfText(lastText + 1), "the smallest text after the previous size");
            assertEquals(size, envelopeOfText(mostThatFits), "the longest text of size " + size);
            if (previousSize > 0) {
                assertEquals(previousSize, envelopeOfText(lastText), "one byte less stays in " + previousSize);
            }
            previousSize = size;
            lastText = mostThatFits;
        }
        assertEquals(List.of(256, 1024, 4096, 16_384), Padding.ENVELOPE_SIZES);
    }

    @Test
    void theMailboxLimitIsOneConstantAndFillsTheMessengersLargestEnvelope() {
        assertEquals(16_297, Packet.MAX_MAILBOX_TEXT);
        assertEquals(MessengerContract.MAX_ENVELOPE_LENGTH, envelopeOfText(Packet.MAX_MAILBOX_TEXT));
        assertTrue(envelopeOfText(Packet.MAX_MAILBOX_TEXT + 1) > MessengerContract.MAX_ENVELOPE_LENGTH,
                "one byte more no longer fits a post");
    }

    @Test
    void beyondTheMailboxDirectFramesAreMultiplesOfTheLargestSize() {
        assertEquals(32_768, envelopeOfText(Packet.MAX_MAILBOX_TEXT + 1));
        assertEquals(Frame.MAX_BODY, envelopeOfText(Packet.MAX_DIRECT_TEXT), "the longest direct text fills a frame");
        assertEquals(49_152, Padding.envelopeSize(49_152));
        assertEquals(65_536, Padding.envelopeSize(49_153));
        assertThrows(IllegalArgumentException.class, () -> Padding.envelopeSize(-1));
    }

    @Test
    void controlPacketsArePaddedToo() {
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(MessageId.random());
        }
        assertEquals(256, alice.encrypt(Packet.ack(ids, NOW).encode()).length, "ten acknowledged IDs fit the smallest");
        ids.add(MessageId.random());
        assertEquals(1024, alice.encrypt(Packet.ack(ids, NOW).encode()).length, "eleven do not");
        while (ids.size() < 40) {
            ids.add(MessageId.random());
        }
        byte[] ack = alice.encrypt(Packet.ack(ids, NOW).encode());
        assertEquals(1024, ack.length, "40 acknowledged IDs (640 bytes) go in the second size");
        assertEquals(ids, Packet.decode(bob.decrypt(ack)).acknowledged());
        assertEquals(256, alice.encrypt(Packet.confirm(new byte[32], NOW).encode()).length);
        assertEquals(256, alice.encrypt(Packet.endpoint("127.0.0.1:7470", NOW).encode()).length);
    }

    @Test
    void aVersion1PacketFromAnOlderClientStillDecodes() {
        MessageId id = MessageId.random();
        byte[] text = "written before padding".getBytes(StandardCharsets.UTF_8);
        byte[] v1 = ByteBuffer.allocate(26 + text.length).put((byte) 1).put((byte) 1).put(id.bytes())
                .putLong(NOW.toEpochMilli()).put(text).array();
        Packet decoded = Packet.decode(bob.decrypt(alice.encrypt(v1)));
        assertEquals(new Packet(Packet.Type.TEXT, id, NOW, text), decoded);

        byte[] ackV1 = ByteBuffer.allocate(26 + 32).put((byte) 1).put((byte) 3).put(MessageId.random().bytes())
                .putLong(NOW.toEpochMilli()).put(id.bytes()).put(id.bytes()).array();
        assertEquals(List.of(id, id), Packet.decode(ackV1).acknowledged());
    }

    @Test
    void aPaddedPacketWithALyingLengthOrNonZeroPaddingIsRefused() {
        byte[] packet = Packet.text("hi", NOW).encode();
        byte[] tooLong = packet.clone();
        ByteBuffer.wrap(tooLong).putInt(26, tooLong.length);
        assertTrue(assertThrows(MessagingException.class, () -> Packet.decode(tooLong)).getMessage()
                .contains("runs past its end"));
        byte[] negative = packet.clone();
        ByteBuffer.wrap(negative).putInt(26, -1);
        assertThrows(MessagingException.class, () -> Packet.decode(negative));
        byte[] dirty = packet.clone();
        dirty[dirty.length - 1] = 1;
        assertTrue(assertThrows(MessagingException.class, () -> Packet.decode(dirty)).getMessage()
                .contains("padding"));
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), Packet.decode(packet).body());
    }
}
