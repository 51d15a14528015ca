package dev.peerkey.transport.direct;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's TCP connection to a {@link DirectServer}, kept open for any number of
 * sequential {@linkplain #exchange exchanges}. Exchanges from several threads are serialized;
 * {@link #close()} may be called from any thread, and ends an exchange in progress.
 *
 * <p>Any failure during an exchange (timeout, drop, malformed frame) closes the connection:
 * afterwards the stream position is unknown, and a late reply would otherwise be taken for
 * the answer to the next exchange. Open a new connection to continue.
 */
public final class DirectConnection implements AutoCloseable {
    /** Most frames one exchange accepts before its REPLY or ERROR, bounding memory per exchange. */
    public static final int MAX_FRAMES_PER_EXCHANGE = 1_024;

    private final Socket socket;
    private final String where;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;

    private DirectConnection(Socket socket, String where) throws IOException {
        this.socket = socket;
        this.where = where;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, with TCP_NODELAY so each small frame leaves at once.
     *
     * @throws DirectTransportException if nothing listens there, the connect times out, the host
     *     cannot be resolved, or connecting fails otherwise
     */
    public static DirectConnection open(String host, int port, Duration connectTimeout) {
        Objects.requireNonNull(host, "host");
        String where = Addresses.describe(host, port);
        long timeoutMillis = connectTimeout.toMillis();
        if (timeoutMillis <= 0 || timeoutMillis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connect timeout must be between 1 ms and about 24 days");
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeoutMillis);
            return new DirectConnection(socket, where);
        } catch (IOException e) {
            quietlyClose(socket);
            throw connectFailure(e, where, host, connectTimeout);
        }
    }

    private static DirectTransportException connectFailure(IOException e, String where, String host,
            Duration timeout) {
        String message;
        if (e instanceof SocketTimeoutException) {
            message = "connecting to " + where + " timed out after " + Addresses.describe(timeout);
        } else if (e instanceof UnknownHostException) {
            message = "cannot resolve host " + host;
        } else if (e instanceof ConnectException && String.valueOf(e.getMessage()).contains("refused")) {
            message = "nothing listens at " + where + " (connection refused)";
        } else {
            message = "cannot connect to " + where + ": " + e.getMessage();
        }
        return new DirectTransportException(message, e);
    }

    /**
     * Sends an envelope and reads frames until a {@code REPLY} or {@code ERROR}.
     *
     * @param envelope an {@code ENVELOPE} frame
     * @param replyTimeout how long to wait, from the send, for the whole answer
     * @return every frame read, in order, ending with the {@code REPLY} or {@code ERROR}
     * @throws DirectTransportException if no answer came within the timeout, or the answer was
     *     not frames; {@link ConnectionClosedException} if the connection is or became closed.
     *     The connection is closed afterwards either way.
     */
    public synchronized List<Frame> exchange(Frame envelope, Duration replyTimeout) {
        if (envelope.kind() != Frame.Kind.ENVELOPE) {
            throw new IllegalArgumentException("only ENVELOPE frames start an exchange, got " + envelope.kind());
        }
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("reply timeout must be positive");
        }
        if (closed) {
            throw new ConnectionClosedException("the connection to " + where + " is closed");
        }
        long deadline = System.nanoTime() + replyTimeout.toNanos();
        try {
            FrameCodec.write(out, envelope);
            InputStream timed = new DeadlineInputStream(deadline);
            List<Frame> frames = new ArrayList<>();
            Optional<Frame> frame;
            while ((frame = FrameCodec.read(timed)).isPresent()) {
                frames.add(frame.get());
                Frame.Kind kind = frame.get().kind();
                if (kind == Frame.Kind.REPLY || kind == Frame.Kind.ERROR) {
                    return frames;
                }
                if (frames.size() >= MAX_FRAMES_PER_EXCHANGE) {
                    close();
                    throw new DirectTransportException(
                            where + " sent " + frames.size() + " frames without a REPLY or ERROR");
                }
            }
        } catch (SocketTimeoutException e) {
            close();
            throw new DirectTransportException(
                    "no reply from " + where + " within " + Addresses.describe(replyTimeout), e);
        } catch (ConnectionClosedException e) { // from the codec: a drop mid-frame
            close();
            throw new ConnectionClosedException("the connection to " + where + " dropped: " + e.getMessage(), e);
        } catch (MalformedFrameException e) {
            close();
            throw new MalformedFrameException(where + " sent a malformed frame: " + e.getMessage());
        } catch (IOException e) {
            boolean byUs = closed;
            close();
            throw new ConnectionClosedException(byUs ? "the connection to " + where + " was closed"
                    : "the connection to " + where + " failed: " + e.getMessage(), e);
        }
        close();
        throw new ConnectionClosedException(where + " closed the connection before replying");
    }

    /** Whether exchanges can still be attempted: not closed by either {@link #close()} or a failure. */
    public boolean isOpen() {
        return !closed;
    }

    /** Closes the connection; an exchange in progress fails. Idempotent. */
    @Override
    public void close() {
        closed = true;
        quietlyClose(socket);
    }

    @Override
    public String toString() {
        return "DirectConnection[" + where + (closed ? ", closed]" : "]");
    }

    private static void quietlyClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // the socket is unusable either way
        }
    }

    /**
     * The socket's input with one deadline for a whole exchange: each read waits at most the
     * time left, so a peer that trickles bytes cannot stretch the reply timeout.
     */
    private final class DeadlineInputStream extends InputStream {
        private final long deadline;

        DeadlineInputStream(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            armTimeout();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            armTimeout();
            return in.read(b, off, len);
        }

        private void armTimeout() throws IOException {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        }
    }
}
