package dev.peerkey.transport.direct;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One unit of the direct transport: an opaque body addressed by a session tag. The body of
 * an {@code ENVELOPE} or {@code REPLY} is whatever the session layer encrypted; this layer
 * never sees plaintext. {@link FrameCodec} defines the bytes on the wire.
 *
 * <p>Every frame that exists is valid: the tag is {@value #TAG_SIZE} bytes and the body at
 * most {@value #MAX_BODY} bytes ({@value #MAX_ERROR_BODY} for an {@code ERROR}). Instances are
 * immutable; the constructor and the accessors copy the arrays.
 *
 * @param kind what the frame is
 * @param tag the recipient's session tag, so the receiver finds the session; an {@code ERROR}
 *     carries the tag of the frame it answers
 * @param body the encrypted envelope, or for an {@code ERROR} a short UTF-8 reason
 */
public record Frame(Kind kind, byte[] tag, byte[] body) {
    /** Size of a session tag. */
    public static final int TAG_SIZE = 32;
    /** Largest body of an {@code ENVELOPE} or {@code REPLY}. */
    public static final int MAX_BODY = 65_536;
    /** Largest body of an {@code ERROR}: a reason, not a payload. */
    public static final int MAX_ERROR_BODY = 512;
    /** The reason of the {@linkplain #refusal() refusal that says nothing}. */
    public static final String REFUSED = "refused";

    /** What a frame is; each has a fixed code on the wire. */
    public enum Kind {
        /** An encrypted envelope for the receiver's handler. */
        ENVELOPE(1),
        /** The answer that ends an exchange. */
        REPLY(2),
        /** The receiver could not handle the frame; ends an exchange. */
        ERROR(3);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The kind's byte on the wire. */
        public int code() {
            return code;
        }

        /** The kind with this wire code, or null; callers word their own error. */
        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * Checks and copies the fields.
     *
     * @throws MalformedFrameException if the tag is not {@value #TAG_SIZE} bytes or the body is
     *     over its limit
     */
    public Frame {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(body, "body");
        if (tag.length != TAG_SIZE) {
            throw new MalformedFrameException("a frame tag must be " + TAG_SIZE + " bytes, got " + tag.length);
        }
        int max = maxBody(kind);
        if (body.length > max) {
            throw new MalformedFrameException(
                    kind + " frame body of " + body.length + " bytes is over the maximum of " + max + " bytes");
        }
        tag = tag.clone();
        body = body.clone();
    }

    /** An {@code ENVELOPE} frame. */
    public static Frame envelope(byte[] tag, byte[] body) {
        return new Frame(Kind.ENVELOPE, tag, body);
    }

    /** A {@code REPLY} frame. */
    public static Frame reply(byte[] tag, byte[] body) {
        return new Frame(Kind.REPLY, tag, body);
    }

    /**
     * An {@code ERROR} frame; a reason longer than {@value #MAX_ERROR_BODY} UTF-8 bytes is cut
     * at a character boundary rather than refused, since an error must always be sendable.
     */
    public static Frame error(byte[] tag, String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_ERROR_BODY) {
            int end = MAX_ERROR_BODY;
            while ((utf8[end] & 0xC0) == 0x80) { // never split a multi-byte character
                end--;
            }
            utf8 = Arrays.copyOf(utf8, end);
        }
        return new Frame(Kind.ERROR, tag, utf8);
    }

    /**
     * The refusal that says nothing: an {@code ERROR} with an all-zero tag and the reason
     * {@value #REFUSED}, the same bytes whatever the frame and whatever went wrong. A server
     * gives it to every frame that does not prove a session, so the answer cannot tell an
     * unknown tag from a known one with a bad body, or name whom a tag belongs to.
     */
    public static Frame refusal() {
        return error(new byte[TAG_SIZE], REFUSED);
    }

    /** Whether this is the {@linkplain #refusal() refusal that says nothing}. */
    public boolean isRefusal() {
        return equals(refusal());
    }

    /** Largest body a frame of this kind may carry. */
    public static int maxBody(Kind kind) {
        return kind == Kind.ERROR ? MAX_ERROR_BODY : MAX_BODY;
    }

    /** The tag (a copy). */
    @Override
    public byte[] tag() {
        return tag.clone();
    }

    /** The body (a copy). */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Body length, without copying it. */
    public int bodyLength() {
        return body.length;
    }

    /** The body decoded as UTF-8: the reason of an {@code ERROR} frame. */
    public String reason() {
        return new String(body, StandardCharsets.UTF_8);
    }

    byte[] tagRef() {
        return tag;
    }

    byte[] bodyRef() {
        return body;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && kind == f.kind && Arrays.equals(tag, f.tag) && Arrays.equals(body, f.body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(tag)) + Arrays.hashCode(body);
    }

    /** Kind, tag prefix and body length; never the body. */
    @Override
    public String toString() {
        return "Frame[kind=" + kind + ", tag=" + HexFormat.of().formatHex(tag, 0, 4) + "..., body=" + body.length
                + " bytes]";
    }
}
