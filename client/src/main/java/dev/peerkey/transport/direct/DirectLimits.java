package dev.peerkey.transport.direct;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work one remote address may cause a {@link DirectServer}. An address is an IPv4
 * address or an IPv6 /64 (one subscriber's usual allocation). Rates are token buckets per
 * address, shared by all its connections: a bucket holds up to its burst and refills at its
 * rate. A frame over a limit is not read further and not answered; its connection is closed.
 *
 * @param connectionsPerAddress open connections one address may hold at once; more are closed on accept
 * @param connections open connections in all; more are closed on accept
 * @param framesPerSecond frames an address may send per second, sustained
 * @param frameBurst frames an address may send at once
 * @param bytesPerSecond frame bytes (length prefix included) an address may send per second, sustained
 * @param byteBurst frame bytes an address may send at once; at least one largest frame
 * @param refusalsPerSecond frames per second an address may have answered with an {@code ERROR}
 *     (a refusal, an unknown tag, a body that does not decrypt): each may cost a decryption attempt
 * @param refusalBurst refusals an address may collect at once
 * @param idleTimeout how long a connection may stay silent between frames
 * @param frameTimeout how long one frame may take to arrive, from its first byte to its last
 */
public record DirectLimits(int connectionsPerAddress, int connections, int framesPerSecond, int frameBurst,
        int bytesPerSecond, int byteBurst, int refusalsPerSecond, int refusalBurst, Duration idleTimeout,
        Duration frameTimeout) {

    /** The limits `peerkey listen` runs with; the README quotes them. */
    public static final DirectLimits DEFAULT = new DirectLimits(
            8, 256,               // open connections: per address, in all
            200, 1_000,           // frames per second, burst (a chat is a few per second; a resend queue bursts)
            4 << 20, 8 << 20,     // bytes per second, burst: 4 MiB/s, 8 MiB
            5, 20,                // refused frames per second, burst: a body that does not decrypt may cost
                                  // a DH step and 2,000 chain steps (several ms); peers are almost never refused
            Duration.ofMinutes(2), Duration.ofSeconds(10)); // idle between frames; one whole frame

    public DirectLimits {
        positive(connectionsPerAddress, "connectionsPerAddress");
        positive(connections, "connections");
        positive(framesPerSecond, "framesPerSecond");
        positive(frameBurst, "frameBurst");
        positive(bytesPerSecond, "bytesPerSecond");
        positive(refusalsPerSecond, "refusalsPerSecond");
        positive(refusalBurst, "refusalBurst");
        if (byteBurst < FrameCodec.LENGTH_SIZE + FrameCodec.MAX_LENGTH) {
            throw new IllegalArgumentException("byteBurst must hold one largest frame ("
                    + (FrameCodec.LENGTH_SIZE + FrameCodec.MAX_LENGTH) + " bytes)");
        }
        positive(idleTimeout, "idleTimeout");
        positive(frameTimeout, "frameTimeout");
    }

    /** These limits with another idle timeout. */
    public DirectLimits withIdleTimeout(Duration timeout) {
        return new DirectLimits(connectionsPerAddress, connections, framesPerSecond, frameBurst, bytesPerSecond,
                byteBurst, refusalsPerSecond, refusalBurst, timeout, frameTimeout);
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 1 ms and about 24 days, got " + value);
        }
    }
}
