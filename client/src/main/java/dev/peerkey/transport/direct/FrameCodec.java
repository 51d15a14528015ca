package dev.peerkey.transport.direct;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The bytes of a {@link Frame} on a stream. All integers are unsigned big-endian.
 *
 * <pre>
 * offset  size    field
 *      0     4    length of the rest of the frame: 34 + body length
 *      4     1    version, 0x01
 *      5     1    kind: 1 ENVELOPE, 2 REPLY, 3 ERROR
 *      6    32    tag
 *     38     L    body, L ≤ 65,536 (≤ 512 for ERROR)
 * </pre>
 *
 * <p>The length prefix comes first so a reader can refuse an oversized frame before it
 * allocates anything.
 */
public final class FrameCodec {
    /** The only version this client reads and writes. */
    public static final int VERSION = 1;
    /** Size of the length prefix. */
    public static final int LENGTH_SIZE = 4;
    /** Bytes the length counts besides the body: version, kind and tag. */
    public static final int HEADER_SIZE = 1 + 1 + Frame.TAG_SIZE;
    /** Largest value of the length prefix. */
    public static final int MAX_LENGTH = HEADER_SIZE + Frame.MAX_BODY;

    private FrameCodec() {
    }

    /** The frame's bytes on the wire, length prefix included. */
    public static byte[] encode(Frame frame) {
        byte[] tag = frame.tagRef();
        byte[] body = frame.bodyRef();
        int length = HEADER_SIZE + body.length;
        byte[] out = new byte[LENGTH_SIZE + length];
        out[0] = (byte) (length >>> 24);
        out[1] = (byte) (length >>> 16);
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        out[4] = VERSION;
        out[5] = (byte) frame.kind().code();
        System.arraycopy(tag, 0, out, LENGTH_SIZE + 2, tag.length);
        System.arraycopy(body, 0, out, LENGTH_SIZE + HEADER_SIZE, body.length);
        return out;
    }

    /**
     * Writes the frame with a single {@code write} call, so that with TCP_NODELAY a small
     * frame leaves as one segment, then flushes.
     */
    public static void write(OutputStream out, Frame frame) throws IOException {
        out.write(encode(frame));
        out.flush();
    }

    /**
     * Reads one whole frame; never returns part of one.
     *
     * @return the frame, or empty if the stream ended cleanly before its first byte
     * @throws ConnectionClosedException if the stream ended mid-frame
     * @throws MalformedFrameException if the length is over {@value #MAX_LENGTH} (refused before
     *     allocating) or too short for a tag, or the version or kind is unknown
     * @throws IOException if reading fails, a socket timeout included
     */
    public static Optional<Frame> read(InputStream in) throws IOException {
        OptionalInt length = readLength(in);
        return length.isEmpty() ? Optional.empty() : Optional.of(readRest(in, length.getAsInt()));
    }

    /**
     * Reads and checks a frame's length prefix, so a server can refuse the frame before it
     * reads (or allocates) the rest; {@link #readRest} then reads that many bytes.
     *
     * @return the length of the rest of the frame, or empty if the stream ended cleanly first
     * @throws ConnectionClosedException if the stream ended inside the prefix
     * @throws MalformedFrameException if the length is over {@value #MAX_LENGTH} or too short for a tag
     */
    public static OptionalInt readLength(InputStream in) throws IOException {
        byte[] prefix = new byte[LENGTH_SIZE];
        int n = in.readNBytes(prefix, 0, LENGTH_SIZE);
        if (n == 0) {
            return OptionalInt.empty();
        }
        if (n < LENGTH_SIZE) {
            throw new ConnectionClosedException(
                    "the connection closed mid-frame after " + n + " of the " + LENGTH_SIZE + " length bytes");
        }
        long length = ((prefix[0] & 0xFFL) << 24) | ((prefix[1] & 0xFF) << 16) | ((prefix[2] & 0xFF) << 8)
                | (prefix[3] & 0xFF);
        if (length > MAX_LENGTH) {
            throw new MalformedFrameException(
                    "frame length " + length + " is over the maximum of " + MAX_LENGTH + " bytes");
        }
        if (length < HEADER_SIZE) {
            throw new MalformedFrameException("frame length " + length
                    + " is too short for a version, a kind and a " + Frame.TAG_SIZE + "-byte tag (" + HEADER_SIZE
                    + " bytes)");
        }
        return OptionalInt.of((int) length);
    }

    /**
     * Reads the rest of a frame whose prefix {@link #readLength} returned.
     *
     * @throws ConnectionClosedException if the stream ended first
     * @throws MalformedFrameException if the version or kind is unknown
     */
    public static Frame readRest(InputStream in, int length) throws IOException {
        byte[] rest = new byte[length];
        int got = in.readNBytes(rest, 0, rest.length);
        if (got < rest.length) {
            throw new ConnectionClosedException("the connection closed mid-frame after " + (LENGTH_SIZE + got)
                    + " of " + (LENGTH_SIZE + rest.length) + " bytes");
        }
        return parse(rest);
    }

    /** Parses version, kind, tag and body: everything after the length prefix. */
    private static Frame parse(byte[] rest) {
        int version = rest[0] & 0xFF;
        if (version != VERSION) {
            throw new MalformedFrameException(
                    "frame version " + version + " is not supported (this client reads version " + VERSION + ")");
        }
        Frame.Kind kind = Frame.Kind.ofCode(rest[1] & 0xFF);
        if (kind == null) {
            throw new MalformedFrameException("frame kind " + (rest[1] & 0xFF) + " is unknown");
        }
        byte[] tag = Arrays.copyOfRange(rest, 2, HEADER_SIZE);
        byte[] body = Arrays.copyOfRange(rest, HEADER_SIZE, rest.length);
        return new Frame(kind, tag, body); // checks the ERROR body limit
    }
}
