package dev.peerkey.transport.direct;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A server connection's input with two clocks: between frames a read may wait the idle
 * timeout; once a frame's first byte is in, the whole frame must arrive within the frame
 * timeout, so a peer trickling bytes cannot hold a connection open.
 */
final class FrameInput extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final int idleMillis;
    private final long frameNanos;
    /** When the current frame must be complete; 0 between frames. */
    private long deadline;

    FrameInput(Socket socket, DirectLimits limits) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.idleMillis = (int) limits.idleTimeout().toMillis();
        this.frameNanos = limits.frameTimeout().toNanos();
    }

    /** Whether a frame has begun and not yet been {@linkplain #frameDone() done}. */
    boolean inFrame() {
        return deadline != 0;
    }

    /** The frame is read: the next read waits for a new one, under the idle timeout. */
    void frameDone() {
        deadline = 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (deadline == 0) {
            socket.setSoTimeout(idleMillis);
        } else {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new SocketTimeoutException("frame deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        }
        int n = in.read(b, off, len);
        if (n > 0 && deadline == 0) {
            deadline = System.nanoTime() + frameNanos;
        }
        return n;
    }
}
