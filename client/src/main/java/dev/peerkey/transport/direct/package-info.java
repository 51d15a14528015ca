/**
 * The direct transport: two peers who share a session exchange opaque encrypted envelopes
 * over one TCP connection. A {@link dev.peerkey.transport.direct.DirectConnection} sends an
 * {@code ENVELOPE} {@link dev.peerkey.transport.direct.Frame} and reads the answer a
 * {@link dev.peerkey.transport.direct.DirectServer} got from its
 * {@link dev.peerkey.transport.direct.FrameHandler}; {@link dev.peerkey.transport.direct.FrameCodec}
 * defines the bytes. Bodies are encrypted by the session layer, so this package never sees
 * plaintext, and it depends on nothing but the JDK and {@link dev.peerkey.PeerkeyException}.
 */
package dev.peerkey.transport.direct;
