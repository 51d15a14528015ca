package dev.peerkey.handshake;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A chat message carried inside an auth request's sealed payload, for a responder who reads it
 * before any session exists (a message request). It is protected like the rest of the payload:
 * ECIES to the responder's registered key and the initiator's signature over the request — no
 * forward secrecy until the session's ratchet takes over. Never printed.
 *
 * @param id the message's 16-byte ID (random; the receiver stores each ID once)
 * @param sentAt the sender's clock, to the millisecond
 * @param text the UTF-8 text, 1 to {@link #MAX_TEXT_LENGTH} bytes
 */
public record FirstMessage(byte[] id, Instant sentAt, byte[] text) {
    public static final int ID_LENGTH = 16;
    public static final int MAX_TEXT_LENGTH = 0xFFFF;

    public FirstMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(text, "text");
        if (id.length != ID_LENGTH) {
            throw new HandshakeException("a message ID must be " + ID_LENGTH + " bytes, got " + id.length);
        }
        if (text.length == 0 || text.length > MAX_TEXT_LENGTH) {
            throw new HandshakeException("a carried message must be 1 to " + MAX_TEXT_LENGTH + " bytes, got "
                    + text.length);
        }
        id = id.clone();
        sentAt = Instant.ofEpochMilli(sentAt.toEpochMilli());
        text = text.clone();
    }

    @Override
    public byte[] id() {
        return id.clone();
    }

    @Override
    public byte[] text() {
        return text.clone();
    }

    /** Bytes this message takes in a payload: ID, time, length, text. */
    int encodedLength() {
        return ID_LENGTH + 8 + 2 + text.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FirstMessage m && Arrays.equals(id, m.id) && sentAt.equals(m.sentAt)
                && Arrays.equals(text, m.text);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }

    /** Without the text. */
    @Override
    public String toString() {
        return "FirstMessage[" + text.length + " bytes]";
    }
}
