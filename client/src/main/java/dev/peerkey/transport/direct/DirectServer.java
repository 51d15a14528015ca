package dev.peerkey.transport.direct;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Listens for {@link DirectConnection}s and answers each {@code ENVELOPE} frame with what
 * the {@link FrameHandler} returns. Every connection gets its own virtual thread and is
 * served one frame at a time, in order.
 *
 * <p>Every remote address is held to {@link DirectLimits}: open connections, frames, bytes
 * and refused frames per second, an idle timeout and a time limit per frame. Over a limit the
 * connection is closed at once, without reading the frame's body or answering it. A malformed
 * frame or a drop mid-frame also closes that connection only. Each is reported to the log, at
 * most once per address every 10 s; the server keeps serving others.
 *
 * <p>A frame the handler fails on, and any frame that is not an {@code ENVELOPE}, is answered
 * with the {@linkplain Frame#refusal() refusal that says nothing}, and the connection stays open.
 */
public final class DirectServer implements AutoCloseable {
    /** How long {@link #close()} waits for handler calls in flight. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final ServerSocket listener;
    private final FrameHandler handler;
    private final Consumer<String> log;
    private final DirectLimits limits;
    private final Admission admission;
    private final ExecutorService threads;
    private final ScheduledExecutorService writeGuard = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("direct-write-guard").daemon().factory());
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private DirectServer(ServerSocket listener, FrameHandler handler, Consumer<String> log, DirectLimits limits,
            LongSupplier nanos) {
        this.listener = listener;
        this.handler = handler;
        this.log = log;
        this.limits = limits;
        this.admission = new Admission(limits, nanos);
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("direct-server-", 0).factory());
    }

    /**
     * Binds and starts accepting, with the {@linkplain DirectLimits#DEFAULT default limits}.
     *
     * @param bind address and port to listen on; port 0 picks a free one (see {@link #port()})
     * @param handler called for every {@code ENVELOPE} frame; must be thread-safe
     * @param log receives one line per dropped connection or handler failure, never a body
     * @throws DirectTransportException if the address cannot be bound
     */
    public static DirectServer start(InetSocketAddress bind, FrameHandler handler, Consumer<String> log) {
        return start(bind, handler, log, DirectLimits.DEFAULT);
    }

    /** As {@link #start(InetSocketAddress, FrameHandler, Consumer)}, with these limits. */
    public static DirectServer start(InetSocketAddress bind, FrameHandler handler, Consumer<String> log,
            DirectLimits limits) {
        return start(bind, handler, log, limits, System::nanoTime);
    }

    /** As above, with the clock the budgets refill by (tests stop it). */
    static DirectServer start(InetSocketAddress bind, FrameHandler handler, Consumer<String> log,
            DirectLimits limits, LongSupplier nanos) {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(limits, "limits");
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
        DirectServer server = new DirectServer(listener, handler, log, limits, nanos);
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
            Admission.Address address = admission.address(socket.getInetAddress());
            String over = admission.connect(address);
            if (over != null) {
                report(address, "direct: closed connection from " + Addresses.describe(socket.getRemoteSocketAddress())
                        + ": " + over);
                quietlyClose(socket);
                continue;
            }
            connections.add(socket);
            if (closed) { // close() may already have shut the connections it saw
                quietlyClose(socket);
                admission.release(address);
                break;
            }
            try {
                threads.execute(() -> serve(socket, address));
            } catch (RejectedExecutionException e) { // close() shut the executor in between
                quietlyClose(socket);
                admission.release(address);
            }
        }
    }

    /** Reads frames and writes the answers until the peer closes, misbehaves, goes over a limit or goes idle. */
    private void serve(Socket socket, Admission.Address address) {
        String peer = Addresses.describe(socket.getRemoteSocketAddress());
        FrameInput in = null;
        try (socket) {
            socket.setTcpNoDelay(true);
            in = new FrameInput(socket, limits);
            OutputStream out = socket.getOutputStream();
            while (true) {
                OptionalInt length = FrameCodec.readLength(in);
                if (length.isEmpty()) {
                    return; // the peer closed, or close() shut our input
                }
                String over = address.chargeFrame(FrameCodec.LENGTH_SIZE + length.getAsInt());
                if (over != null) {
                    report(address, "direct: closed connection from " + peer + ": " + over);
                    return;
                }
                Frame frame = FrameCodec.readRest(in, length.getAsInt());
                in.frameDone();
                List<Frame> answer = answer(frame, peer, address);
                if (answer.stream().anyMatch(f -> f.kind() == Frame.Kind.ERROR)) {
                    address.chargeRefusal();
                }
                write(socket, out, answer);
            }
        } catch (SocketTimeoutException e) {
            String why = "the peer did not take the answer".equals(e.getMessage())
                    ? "it did not read the answer within " + Addresses.describe(limits.frameTimeout())
                    : in != null && in.inFrame() ? "a frame took longer than " + Addresses.describe(limits.frameTimeout())
                    : "idle for " + Addresses.describe(limits.idleTimeout());
            report(address, "direct: closed connection from " + peer + ": " + why);
        } catch (DirectTransportException e) {
            if (!closed) { // close() ends reads with an end of stream, possibly mid-frame
                report(address, "direct: closed connection from " + peer + ": " + e.getMessage());
            }
        } catch (IOException e) {
            if (!closed) {
                report(address, "direct: connection from " + peer + " failed: " + e.getMessage());
            }
        } finally {
            connections.remove(socket);
            admission.release(address);
        }
    }

    /**
     * Writes the answer, closing the connection if the peer does not take it within the frame
     * timeout: a peer that never reads would otherwise hold this connection's thread forever.
     */
    private void write(Socket socket, OutputStream out, List<Frame> answer) throws IOException {
        ScheduledFuture<?> guard;
        try {
            guard = writeGuard.schedule(() -> quietlyClose(socket), limits.frameTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) { // close() is past its grace period
            throw new SocketException("the server is closing");
        }
        try {
            for (Frame f : answer) {
                FrameCodec.write(out, f);
            }
        } catch (IOException e) {
            throw guard.isDone() ? new SocketTimeoutException("the peer did not take the answer") : e;
        } finally {
            guard.cancel(false);
        }
    }

    private List<Frame> answer(Frame frame, String peer, Admission.Address address) {
        if (frame.kind() != Frame.Kind.ENVELOPE) {
            return List.of(Frame.refusal());
        }
        try {
            return List.copyOf(handler.handle(frame)); // also rejects a null list or element
        } catch (RuntimeException e) {
            report(address, "direct: handler failed on a frame from " + peer + ": " + e);
            return List.of(Frame.refusal());
        }
    }

    /** Logs a line about an address, unless one was logged for it in the last 10 s. */
    private void report(Admission.Address address, String line) {
        String out = address.loggable(line);
        if (out != null) {
            log.accept(out);
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
        writeGuard.shutdownNow();
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
