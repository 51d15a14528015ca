package dev.peerkey.transport.direct;

import java.util.List;

/**
 * What a {@link DirectServer} does with each {@link Frame.Kind#ENVELOPE ENVELOPE} frame it
 * receives. The server calls it from one thread per connection, so calls for different
 * connections run concurrently; calls for one connection run one at a time, in order.
 */
@FunctionalInterface
public interface FrameHandler {
    /**
     * Handles one envelope and returns the frames to send back, in order. The client's
     * {@link DirectConnection#exchange exchange} reads until a {@code REPLY} or {@code ERROR}
     * frame, so a list normally ends with one; an empty list sends nothing, and that client
     * waits until its reply timeout.
     *
     * <p>Any runtime exception is answered with the {@linkplain Frame#refusal() refusal that
     * says nothing} (its message goes to the server's log, never to the peer), and the
     * connection stays open. An answer that contains an {@code ERROR} frame counts against
     * the address's refusal budget ({@link DirectLimits#refusalsPerSecond()}).
     */
    List<Frame> handle(Frame frame);
}
