package dev.peerkey.transport.direct;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Listens for {@link DirectConnection}s and answers each {@code ENVELOPE} frame with what
 * the {@link FrameHandler} returns. Every connection gets its own virtual thread and is
 * served one frame at a time, in order.
 *
 * <p>A handler failure is answered with an {@code ERROR} frame and the connection stays open.
 * A malformed frame, a drop mid-frame or a connection idle for longer than the idle timeout
 * closes that connection only, and is reported to the log; the server keeps serving others.
 */
public final class DirectServer implements AutoCloseable {
    /** How long a connection may stay silent before the server closes it. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** How long {@link #close()} waits for handler calls in flight. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final ServerSocket listener;
    private final FrameHandler handler;
    private final Consumer<String> log;
    private final int idleTimeoutMillis;
    private final ExecutorService threads;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private DirectServer(ServerSocket listener, FrameHandler handler, Consumer<String> log, Duration idleTimeout) {
        this.listener = listener;
        this.handler = handler;
        this.log = log;
        this.idleTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, idleTimeout.toMillis()));
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("direct-server-", 0).factory());
    }

    /**
     * Binds and starts accepting, with the {@linkplain #DEFAULT_IDLE_TIMEOUT default idle
     * timeout}.
     *
     * @param bind address and port to listen on; port 0 picks a free one (see {@link #port()})
     * @param handler called for every {@code ENVELOPE} frame; must be thread-safe
     * @param log receives one line per dropped connection or handler failure, never a body
     * @throws DirectTransportException if the address cannot be bound
     */
    public static DirectServer start(InetSocketAddress bind, FrameHandler handler, Consumer<String> log) {
        return start(bind, handler, log, DEFAULT_IDLE_TIMEOUT);
    }

    /** As {@link #start(InetSocketAddress, FrameHandler, Consumer)}, with this idle timeout. */
    public static DirectServer start(InetSocketAddress bind, FrameHandler handler, Consumer<String> log,
            Duration idleTimeout) {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(log, "log");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            try {
                listener.bind(bind);
            } catch (IOException e) {
                listener.close();
                throw e;
            }
        } catch (IOException e) {
            throw new DirectTransportException(
                    "cannot listen on " + Addresses.describe(bind) + ": " + e.getMessage(), e);
        }
        DirectServer server = new DirectServer(listener, handler, log, idleTimeout);
        server.threads.execute(server::acceptLoop);
        return server;
    }

    /** The port it listens on: the one bound, or the one picked for port 0. */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.accept("direct: accepting a connection failed: " + e.getMessage());
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            connections.add(socket);
            if (closed) { // close() may already have shut the connections it saw
                quietlyClose(socket);
                break;
            }
            try {
                threads.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) { // close() shut the executor in between
                quietlyClose(socket);
            }
        }
    }

    /** Reads frames and writes the answers until the peer closes, misbehaves or goes idle. */
    private void serve(Socket socket) {
        String peer = Addresses.describe(socket.getRemoteSocketAddress());
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(idleTimeoutMillis);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                Optional<Frame> frame = FrameCodec.read(in);
                if (frame.isEmpty()) {
                    return; // the peer closed, or close() shut our input
                }
                for (Frame answer : answer(frame.get(), peer)) {
                    FrameCodec.write(out, answer);
                }
            }
        } catch (SocketTimeoutException e) {
            log.accept("direct: closed connection from " + peer + ": idle for "
                    + Addresses.describe(Duration.ofMillis(idleTimeoutMillis)));
        } catch (DirectTransportException e) {
            if (!closed) { // close() ends reads with an end of stream, possibly mid-frame
                log.accept("direct: closed connection from " + peer + ": " + e.getMessage());
            }
        } catch (IOException e) {
            if (!closed) {
                log.accept("direct: connection from " + peer + " failed: " + e.getMessage());
            }
        } finally {
            connections.remove(socket);
        }
    }

    private List<Frame> answer(Frame frame, String peer) {
        if (frame.kind() != Frame.Kind.ENVELOPE) {
            return List.of(Frame.error(frame.tagRef(), "expected an ENVELOPE frame, got " + frame.kind()));
        }
        try {
            return List.copyOf(handler.handle(frame)); // also rejects a null list or element
        } catch (DirectTransportException e) {
            return List.of(Frame.error(frame.tagRef(), Objects.requireNonNullElse(e.getMessage(), "rejected")));
        } catch (RuntimeException e) {
            log.accept("direct: handler failed on a frame from " + peer + ": " + e);
            return List.of(Frame.error(frame.tagRef(), "internal error"));
        }
    }

    /**
     * Stops accepting, lets handler calls in flight finish and send their answers (for up to
     * {@link #CLOSE_GRACE}), then closes every connection. Idempotent; a second caller returns
     * once the first is done.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        quietlyClose(listener);
        // Shutting input ends each connection's read loop at once with a clean end of stream,
        // while a handler call in flight can still write its answer.
        for (Socket socket : connections) {
            try {
                socket.shutdownInput();
            } catch (IOException e) {
                quietlyClose(socket);
            }
        }
        threads.shutdown();
        boolean finished = false;
        try {
            finished = threads.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!finished) {
            log.accept("direct: " + connections.size() + " connection(s) still busy after " + CLOSE_GRACE.toSeconds()
                    + " s; closing them");
        }
        connections.forEach(DirectServer::quietlyClose);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void quietlyClose(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing is best effort; the socket is unusable either way
        }
    }
}
