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
     * @throws DirectTransportException to answer with an {@code ERROR} frame carrying its
     *     message; any other runtime exception is answered with {@code "internal error"}. The
     *     connection stays open either way.
     */
    List<Frame> handle(Frame frame);
}
