package dev.peerkey.transport.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import dev.peerkey.transport.direct.Frame.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Frame} and {@link FrameCodec}, on byte streams. */
class DirectFrameCodecTest {
    private static final Random RANDOM = new Random(42);

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] tag() {
        return bytes(Frame.TAG_SIZE);
    }

    private static Frame roundTrip(Frame frame) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameCodec.write(out, frame);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        Frame read = FrameCodec.read(in).orElseThrow();
        assertEquals(-1, in.read(), "the reader consumed exactly one frame");
        return read;
    }

    private static Optional<Frame> read(byte[] wire) throws IOException {
        return FrameCodec.read(new ByteArrayInputStream(wire));
    }

    /** A wire frame with a hand-made header, for the malformed cases. */
    private static byte[] wire(long length, int version, int kind, int restSize) {
        byte[] b = new byte[FrameCodec.LENGTH_SIZE + restSize];
        b[0] = (byte) (length >>> 24);
        b[1] = (byte) (length >>> 16);
        b[2] = (byte) (length >>> 8);
        b[3] = (byte) length;
        if (restSize > 0) {
            b[4] = (byte) version;
        }
        if (restSize > 1) {
            b[5] = (byte) kind;
        }
        return b;
    }

    @Test
    void encodesTheDocumentedLayout() {
        byte[] tag = tag();
        byte[] body = bytes(157);
        byte[] b = FrameCodec.encode(Frame.envelope(tag, body));
        assertEquals(4 + 1 + 1 + 32 + 157, b.length);
        assertArrayEquals(new byte[] {0, 0, 0, (byte) (34 + 157)}, Arrays.copyOfRange(b, 0, 4));
        assertEquals(1, b[4]);
        assertEquals(1, b[5]);
        assertArrayEquals(tag, Arrays.copyOfRange(b, 6, 38));
        assertArrayEquals(body, Arrays.copyOfRange(b, 38, b.length));
        assertEquals(2, FrameCodec.encode(Frame.reply(tag, body))[5]);
        assertEquals(3, FrameCodec.encode(Frame.error(tag, "no"))[5]);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void roundTripsEveryKind(Kind kind) throws IOException {
        Frame frame = new Frame(kind, tag(), bytes(kind == Kind.ERROR ? 40 : 157));
        Frame read = roundTrip(frame);
        assertEquals(frame, read);
        assertEquals(frame.hashCode(), read.hashCode());
        assertEquals(kind, read.kind());
    }

    @Test
    void roundTripsBoundarySizes() throws IOException {
        for (int size : new int[] {0, 1, Frame.MAX_BODY - 1, Frame.MAX_BODY}) {
            Frame frame = Frame.envelope(tag(), bytes(size));
            assertEquals(frame, roundTrip(frame), size + "-byte body");
        }
        Frame longestError = new Frame(Kind.ERROR, tag(), bytes(Frame.MAX_ERROR_BODY));
        assertEquals(longestError, roundTrip(longestError));
        assertEquals(0, roundTrip(Frame.error(tag(), "")).bodyLength());
    }

    @Test
    void writesOneFrameInOneWriteCallAndFlushes() throws IOException {
        class CountingStream extends OutputStream {
            int writes;
            int flushes;
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                writes++;
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes++;
                bytes.write(b, off, len);
            }

            @Override
            public void flush() {
                flushes++;
            }
        }
        CountingStream out = new CountingStream();
        Frame frame = Frame.envelope(tag(), bytes(Frame.MAX_BODY));
        FrameCodec.write(out, frame);
        assertEquals(1, out.writes);
        assertEquals(1, out.flushes);
        assertArrayEquals(FrameCodec.encode(frame), out.bytes.toByteArray());
    }

    @Test
    void readsConsecutiveFramesFromOneStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frame a = Frame.envelope(tag(), bytes(10));
        Frame b = Frame.reply(tag(), new byte[0]);
        Frame c = Frame.error(tag(), "unknown session");
        FrameCodec.write(out, a);
        FrameCodec.write(out, b);
        FrameCodec.write(out, c);
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(a, FrameCodec.read(in).orElseThrow());
        assertEquals(b, FrameCodec.read(in).orElseThrow());
        assertEquals(c, FrameCodec.read(in).orElseThrow());
        assertEquals(Optional.empty(), FrameCodec.read(in));
    }

    @Test
    void oversizedBodyIsRefusedBeforeAnythingIsWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> FrameCodec.write(out, Frame.envelope(tag(), new byte[Frame.MAX_BODY + 1])));
        assertEquals("ENVELOPE frame body of 65537 bytes is over the maximum of 65536 bytes", e.getMessage());
        assertEquals(0, out.size());
        assertThrows(MalformedFrameException.class,
                () -> new Frame(Kind.ERROR, tag(), new byte[Frame.MAX_ERROR_BODY + 1]));
    }

    @Test
    void oversizedLengthIsRefusedOnReadBeforeAllocating() {
        long justOver = FrameCodec.HEADER_SIZE + Frame.MAX_BODY + 1;
        // The full frame is present: refused for its length, not for anything else.
        byte[] full = wire(justOver, 1, 1, (int) justOver);
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> read(full));
        assertEquals("frame length 65571 is over the maximum of 65570 bytes", e.getMessage());
        // Only the prefix is present: a reader that allocated and read would report a drop instead.
        for (long huge : new long[] {justOver, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
            MalformedFrameException h = assertThrows(MalformedFrameException.class, () -> read(wire(huge, 1, 1, 0)));
            assertEquals("frame length " + huge + " is over the maximum of 65570 bytes", h.getMessage());
        }
    }

    @Test
    void cleanEndOfStreamBeforeAFrameIsEmpty() throws IOException {
        assertEquals(Optional.empty(), read(new byte[0]));
    }

    @Test
    void endOfStreamMidFrameIsADrop() {
        byte[] whole = FrameCodec.encode(Frame.envelope(tag(), bytes(100)));
        assertEquals(138, whole.length);
        for (int cut = 1; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> read(part));
            String expected = cut < 4 ? "the connection closed mid-frame after " + cut + " of the 4 length bytes"
                    : "the connection closed mid-frame after " + cut + " of 138 bytes";
            assertEquals(expected, e.getMessage());
        }
    }

    @Test
    void unknownVersionIsRefused() {
        for (int version : new int[] {0, 2, 255}) {
            MalformedFrameException e = assertThrows(MalformedFrameException.class,
                    () -> read(wire(FrameCodec.HEADER_SIZE, version, 1, FrameCodec.HEADER_SIZE)));
            assertEquals("frame version " + version + " is not supported (this client reads version 1)",
                    e.getMessage());
        }
    }

    @Test
    void unknownKindIsRefused() {
        for (int kind : new int[] {0, 4, 255}) {
            MalformedFrameException e = assertThrows(MalformedFrameException.class,
                    () -> read(wire(FrameCodec.HEADER_SIZE, 1, kind, FrameCodec.HEADER_SIZE)));
            assertEquals("frame kind " + kind + " is unknown", e.getMessage());
        }
    }

    @Test
    void lengthTooShortForATagIsRefused() {
        for (int length = 0; length < FrameCodec.HEADER_SIZE; length++) {
            int n = length;
            MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> read(wire(n, 1, 1, n)));
            assertEquals("frame length " + n + " is too short for a version, a kind and a 32-byte tag (34 bytes)",
                    e.getMessage());
        }
    }

    @Test
    void oversizedErrorBodyIsRefusedOnRead() {
        int length = FrameCodec.HEADER_SIZE + Frame.MAX_ERROR_BODY + 1;
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> read(wire(length, 1, 3, length)));
        assertEquals("ERROR frame body of 513 bytes is over the maximum of 512 bytes", e.getMessage());
    }

    @Test
    void framesCopyTheirArrays() {
        byte[] tag = tag();
        byte[] body = bytes(5);
        Frame f = Frame.envelope(tag, body);
        tag[0]++;
        body[0]++;
        assertNotEquals(tag[0], f.tag()[0]);
        assertNotEquals(body[0], f.body()[0]);
        f.tag()[0]++;
        f.body()[0]++;
        assertEquals(Frame.envelope(f.tag(), f.body()), f);
    }

    @Test
    void equalityIsByContent() {
        byte[] tag = tag();
        byte[] body = bytes(5);
        assertEquals(Frame.envelope(tag, body), Frame.envelope(tag.clone(), body.clone()));
        assertEquals(Frame.envelope(tag, body).hashCode(), Frame.envelope(tag.clone(), body.clone()).hashCode());
        assertNotEquals(Frame.envelope(tag, body), Frame.reply(tag, body));
        assertNotEquals(Frame.envelope(tag, body), Frame.envelope(tag(), body));
        assertNotEquals(Frame.envelope(tag, body), Frame.envelope(tag, bytes(5)));
    }

    @Test
    void toStringLeavesOutTheBody() {
        byte[] tag = new byte[32];
        tag[0] = (byte) 0xAB;
        String s = Frame.error(tag, "secret-looking reason").toString();
        assertEquals("Frame[kind=ERROR, tag=ab000000..., body=21 bytes]", s);
        assertFalse(s.contains("secret"));
    }

    @Test
    void tagMustBe32Bytes() {
        for (int n : new int[] {0, 31, 33}) {
            MalformedFrameException e = assertThrows(MalformedFrameException.class,
                    () -> Frame.envelope(new byte[n], new byte[0]));
            assertEquals("a frame tag must be 32 bytes, got " + n, e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> Frame.envelope(null, new byte[0]));
        assertThrows(NullPointerException.class, () -> Frame.envelope(tag(), null));
        assertThrows(NullPointerException.class, () -> new Frame(null, tag(), new byte[0]));
    }

    @Test
    void longErrorReasonsAreCutAtACharacterBoundary() {
        String reason = "x" + "é".repeat(600); // 1 + 1,200 UTF-8 bytes: 512 would split an é
        Frame f = Frame.error(tag(), reason);
        assertEquals(511, f.bodyLength());
        assertTrue(reason.startsWith(f.reason()));
        assertEquals("unknown session", Frame.error(tag(), "unknown session").reason());
        assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), Frame.error(tag(), "ok").body());
    }
}
