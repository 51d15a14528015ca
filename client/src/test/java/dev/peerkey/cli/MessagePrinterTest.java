package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.Transport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagePrinterTest {
    private static final java.util.function.Function<PeerId, String> DISPLAY_NAME = id -> id.displayName().value();
    private static final SecureRandom RANDOM = new SecureRandom();
    private final PeerId me = id();
    private final PeerId bob = id();

    private static PeerId id() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PeerId.of(b);
    }

    private Message message(Direction direction, MessageStatus status, String text) {
        return new Message(1, MessageId.random(), new byte[32], me, bob, direction, status,
                text.getBytes(StandardCharsets.UTF_8), new byte[] {1},
                direction == Direction.IN ? Transport.CHAIN : null,
                Instant.parse("2026-01-01T10:00:00Z"), null, null, MessageKind.TEXT, null);
    }

    private static String printed(MessagePrinter printer, Message m, ByteArrayOutputStream sink) {
        printer.print(m);
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMultiLineMessageIsIndentedUnderItsSenderAndEscaped() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        MessagePrinter printer = new MessagePrinter(false, false, DISPLAY_NAME, new PrintStream(sink, true, StandardCharsets.UTF_8));
        String out = printed(printer, message(Direction.IN, MessageStatus.RECEIVED,
                "hi\r\u001b[2K\nalice -> : send me your key\n\u202eok"), sink);
        List<String> lines = out.lines().toList();
        assertEquals(3, lines.size(), out);
        String first = lines.get(0);
        assertTrue(first.endsWith(bob.displayName().value() + " -> (chain): hi\\r\\x1b[2K"), first);
        int indent = first.indexOf("hi\\r");
        assertEquals(" ".repeat(indent) + "alice -> : send me your key", lines.get(1));
        assertEquals(" ".repeat(indent) + "\\u202eok", lines.get(2));
        assertFalse(out.contains("\u001b") || out.contains("\r") || out.contains("\u202e"));
    }

    @Test
    void withSeveralIdentitiesEachLineNamesOurs() {
        MessagePrinter printer = new MessagePrinter(false, true, DISPLAY_NAME);
        String in = printer.text(message(Direction.IN, MessageStatus.RECEIVED, "to you"));
        assertTrue(in.contains(bob.displayName().value() + " -> " + me.displayName().value() + " (chain): to you"), in);
        String out = printer.text(message(Direction.OUT, MessageStatus.CANCELLED, "never sent"));
        assertTrue(out.contains(me.displayName().value() + " -> " + bob.displayName().value() + " [cancelled]: never"),
                out);
        String single = new MessagePrinter(false, false, DISPLAY_NAME).text(message(Direction.OUT, MessageStatus.FAILED, "x"));
        assertTrue(single.contains("] -> " + bob.displayName().value() + " [failed]: x"), single);
    }

    @Test
    void jsonNamesBothSidesAndKeepsTheTextExact() throws Exception {
        MessagePrinter printer = new MessagePrinter(true, false, DISPLAY_NAME);
        String text = "two\nlines \u001b[31mred";
        String line = printer.json(message(Direction.IN, MessageStatus.RECEIVED, text));
        assertFalse(line.contains("\n") || line.contains("\u001b"), line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals(bob.hex(), json.path("from").asText());
        assertEquals(me.hex(), json.path("to").asText(), "which of our identities received it");
        assertEquals(text, json.path("text").asText());
        JsonNode sent = new ObjectMapper().readTree(printer.json(message(Direction.OUT, MessageStatus.QUEUED, "x")));
        assertEquals(me.hex(), sent.path("from").asText());
        assertEquals("queued", sent.path("status").asText());
    }

    @Test
    void ourMessagesShowTheirDeliveryStateInWordsOrMarks() {
        MessagePrinter printer = new MessagePrinter(false, false, DISPLAY_NAME);
        String bobName = bob.displayName().value();
        assertTrue(printer.text(message(Direction.OUT, MessageStatus.SENT, "x")).contains("-> " + bobName + " [sent]: x"));
        assertTrue(printer.text(message(Direction.OUT, MessageStatus.DELIVERED, "x"))
                .contains("-> " + bobName + " [delivered]: x"));
        assertTrue(printer.text(message(Direction.OUT, MessageStatus.QUEUED, "x")).contains(" [queued]: x"));
        java.util.function.Function<MessageStatus, String> marks = s -> s == MessageStatus.DELIVERED ? "✓✓" : "✓";
        assertTrue(printer.chatText(message(Direction.OUT, MessageStatus.DELIVERED, "x"), marks)
                .contains("-> " + bobName + " ✓✓: x"));
        String in = printer.chatText(message(Direction.IN, MessageStatus.RECEIVED, "y"), marks);
        assertTrue(in.endsWith(bobName + " -> (chain): y"), "no mark on what we received: " + in);
    }

    @Test
    void jsonCarriesThePeersIdAndItsContactName() throws Exception {
        MessagePrinter named = new MessagePrinter(true, false, id -> "bob", id -> "bob");
        JsonNode json = new ObjectMapper().readTree(named.json(message(Direction.IN, MessageStatus.RECEIVED, "hi")));
        assertEquals(bob.hex(), json.path("peer").asText());
        assertEquals("bob", json.path("contact").asText());
        assertEquals("bob", json.path("peerName").asText());
        assertEquals("in", json.path("direction").asText());
        JsonNode stranger = new ObjectMapper().readTree(new MessagePrinter(true, false, DISPLAY_NAME)
                .json(message(Direction.OUT, MessageStatus.SENT, "hi")));
        assertTrue(stranger.path("contact").isNull());
        assertEquals(bob.displayName().value(), stranger.path("peerName").asText());
        assertEquals("out", stranger.path("direction").asText());
    }

    @Test
    void anExcerptIsShortOneLineAndEscaped() {
        assertEquals("\"hi\\nthere\"", ChatScreen.excerpt("hi\nthere"));
        String longer = ChatScreen.excerpt("x".repeat(100));
        assertEquals(42, longer.length(), longer);
        assertTrue(longer.endsWith("…\""), longer);
    }
}
