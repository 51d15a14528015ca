package dev.peerkey.transport.direct;

import static dev.peerkey.transport.direct.DirectFrameCodecTest.bytes;
import static dev.peerkey.transport.direct.DirectFrameCodecTest.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DirectServer} and {@link DirectConnection} over real sockets on 127.0.0.1. Timeouts
 * are upper bounds that keep a broken build from hanging, never measurements.
 */
@Timeout(60)
class DirectTransportTest {
    private static final String HOST = "127.0.0.1";
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final FrameHandler ECHO = f -> List.of(Frame.reply(f.tag(), f.body()));
    /** Limits these tests of the protocol never reach; {@link DirectLimitsTest} tests the limits. */
    static final DirectLimits ROOMY = new DirectLimits(64, 1_024, 1_000_000, 1_000_000, 1 << 30, 1 << 30,
            1_000_000, 1_000_000, Duration.ofMinutes(2), Duration.ofSeconds(10));

    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    // Not the common pool: with few cores it may run one blocked task at a time.
    private final ExecutorService threads = closeLater(Executors.newVirtualThreadPerTaskExecutor());

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private DirectServer serve(FrameHandler handler) {
        return closeLater(DirectServer.start(new InetSocketAddress(HOST, 0), handler, log::add, ROOMY));
    }

    private DirectConnection connect(DirectServer server) {
        return closeLater(DirectConnection.open(HOST, server.port(), BOUND));
    }

    private Socket rawSocket(int port) throws IOException {
        Socket s = closeLater(new Socket(HOST, port));
        s.setSoTimeout((int) BOUND.toMillis());
        return s;
    }

    /** Waits for a log line containing {@code text}; the log is written by server threads. */
    private String awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String line;
        while ((line = log.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
            if (line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("no log line containing '" + text + "'");
    }

    private static Frame envelope(int i) {
        return Frame.envelope(tag(), ByteBuffer.allocate(157).putInt(0, i).array());
    }

    private static void assertEchoed(Frame sent, List<Frame> answer) {
        assertEquals(List.of(Frame.reply(sent.tag(), sent.body())), answer);
    }

    @Test
    void manySequentialExchangesOnOneConnection() {
        AtomicInteger calls = new AtomicInteger();
        DirectServer server = serve(f -> {
            calls.incrementAndGet();
            return ECHO.handle(f);
        });
        DirectConnection c = connect(server);
        for (int i = 0; i < 1_000; i++) {
            Frame sent = envelope(i);
            assertEchoed(sent, c.exchange(sent, BOUND));
        }
        assertEquals(1_000, calls.get());
        assertTrue(c.isOpen());
    }

    @Test
    void boundarySizedBodiesCrossTheWire() {
        DirectConnection c = connect(serve(ECHO));
        for (int size : new int[] {0, Frame.MAX_BODY}) {
            Frame sent = Frame.envelope(tag(), bytes(size));
            assertEchoed(sent, c.exchange(sent, BOUND));
        }
    }

    @Test
    void handlerMayAnswerWithSeveralFrames() {
        Frame queued = Frame.envelope(tag(), bytes(80));
        DirectServer server = serve(f -> List.of(queued, Frame.reply(f.tag(), new byte[] {7})));
        DirectConnection c = connect(server);
        Frame sent = envelope(1);
        List<Frame> answer = c.exchange(sent, BOUND);
        assertEquals(List.of(queued, Frame.reply(sent.tag(), new byte[] {7})), answer);
        assertEquals(2, c.exchange(sent, BOUND).size()); // and again on the same connection
    }

    @Test
    void handlerFailureIsTheRefusalThatSaysNothingAndTheConnectionStaysUsable() throws InterruptedException {
        DirectServer server = serve(f -> switch (f.body()[0]) {
            case 1 -> throw new DirectTransportException("unknown session");
            case 2 -> throw new IllegalStateException("bug with details");
            case 3 -> null;
            default -> ECHO.handle(f);
        });
        DirectConnection c = connect(server);

        Frame rejected = Frame.envelope(tag(), new byte[] {1});
        List<Frame> answer = c.exchange(rejected, BOUND);
        assertEquals(List.of(Frame.refusal()), answer, "the handler's reason is not sent");
        assertEquals("refused", answer.get(0).reason());
        assertTrue(answer.get(0).isRefusal());

        Frame crashing = Frame.envelope(tag(), new byte[] {2});
        assertEquals(List.of(Frame.refusal()), c.exchange(crashing, BOUND));
        assertTrue(awaitLog("handler failed").contains("unknown session"), "the details go to the log only");

        Frame nullAnswer = Frame.envelope(tag(), new byte[] {3});
        assertEquals(List.of(Frame.refusal()), c.exchange(nullAnswer, BOUND));

        Frame fine = Frame.envelope(tag(), new byte[] {4});
        assertEchoed(fine, c.exchange(fine, BOUND));
        assertTrue(c.isOpen());
    }

    @Test
    void nonEnvelopeFramesAreRefused() throws IOException {
        DirectServer server = serve(ECHO);
        Socket s = rawSocket(server.port());
        Frame reply = Frame.reply(tag(), new byte[3]);
        FrameCodec.write(s.getOutputStream(), reply);
        assertEquals(Frame.refusal(), FrameCodec.read(s.getInputStream()).orElseThrow());

        DirectConnection c = connect(server);
        assertThrows(IllegalArgumentException.class, () -> c.exchange(reply, BOUND));
    }

    @Test
    void severalClientsAtOnce() throws Exception {
        DirectServer server = serve(ECHO);
        int clients = 8;
        CountDownLatch allConnected = new CountDownLatch(clients);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int n = 0; n < clients; n++) {
                results.add(pool.submit(() -> {
                    try (DirectConnection c = DirectConnection.open(HOST, server.port(), BOUND)) {
                        allConnected.countDown();
                        allConnected.await(); // all connections open at the same time
                        for (int i = 0; i < 200; i++) {
                            Frame sent = envelope(i);
                            assertEchoed(sent, c.exchange(sent, BOUND));
                        }
                        return 200;
                    }
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(200, r.get(BOUND.toSeconds() * 3, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void oneConnectionSharedByThreadsKeepsAnswersPaired() throws Exception {
        DirectConnection c = connect(serve(ECHO));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        Frame sent = Frame.envelope(tag(), bytes(157));
                        assertEchoed(sent, c.exchange(sent, BOUND));
                    }
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(BOUND.toSeconds() * 3, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void halfAFrameThenCloseDropsOnlyThatConnection() throws Exception {
        List<Frame> handled = new CopyOnWriteArrayList<>();
        DirectServer server = serve(f -> {
            handled.add(f);
            return ECHO.handle(f);
        });
        DirectConnection bystander = connect(server);
        Frame before = envelope(1);
        assertEchoed(before, bystander.exchange(before, BOUND));

        byte[] whole = FrameCodec.encode(envelope(2));
        try (Socket s = new Socket(HOST, server.port())) {
            s.getOutputStream().write(Arrays.copyOf(whole, whole.length / 2));
            s.getOutputStream().flush();
        }
        assertTrue(awaitLog("mid-frame").contains("after 97 of 195 bytes"));

        Frame after = envelope(3);
        assertEchoed(after, bystander.exchange(after, BOUND));
        assertEchoed(after, connect(server).exchange(after, BOUND));
        assertEquals(List.of(before, after, after), handled);
    }

    @Test
    void malformedFrameClosesOnlyThatConnection() throws Exception {
        DirectServer server = serve(ECHO);
        DirectConnection bystander = connect(server);
        Socket s = rawSocket(server.port());
        byte[] wire = FrameCodec.encode(envelope(1));
        wire[4] = 9; // version
        s.getOutputStream().write(wire);
        assertEquals(-1, s.getInputStream().read(), "the server closes the connection");
        assertTrue(awaitLog("frame version 9").startsWith("direct: closed connection from 127.0.0.1:"));

        Frame sent = envelope(2);
        assertEchoed(sent, bystander.exchange(sent, BOUND));
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        DirectServer server = closeLater(
                DirectServer.start(new InetSocketAddress(HOST, 0), ECHO, log::add,
                        ROOMY.withIdleTimeout(Duration.ofMillis(200))));
        Socket idle = rawSocket(server.port());
        assertEquals(-1, idle.getInputStream().read(), "the server closes an idle connection");
        assertTrue(awaitLog("idle for 200 ms").startsWith("direct: closed connection from 127.0.0.1:"));
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            port = s.getLocalPort(); // free once closed
        }
        DirectTransportException e = assertThrows(DirectTransportException.class,
                () -> DirectConnection.open(HOST, port, BOUND));
        assertEquals("nothing listens at 127.0.0.1:" + port + " (connection refused)", e.getMessage());
    }

    @Test
    void connectTimeout() throws IOException {
        // A listener that never accepts, with its backlog full: Linux then drops new SYNs.
        ServerSocket listener = closeLater(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
        int port = listener.getLocalPort();
        boolean full = false;
        for (int i = 0; i < 16 && !full; i++) {
            Socket s = closeLater(new Socket());
            try {
                s.connect(new InetSocketAddress(HOST, port), 300);
            } catch (SocketTimeoutException e) {
                full = true;
            }
        }
        assertTrue(full, "Linux leaves connections beyond a full backlog unanswered; this one was answered");
        DirectTransportException e = assertThrows(DirectTransportException.class,
                () -> DirectConnection.open(HOST, port, Duration.ofMillis(300)));
        assertEquals("connecting to 127.0.0.1:" + port + " timed out after 300 ms", e.getMessage());
    }

    @Test
    void portInUse() {
        DirectServer server = serve(ECHO);
        DirectTransportException e = assertThrows(DirectTransportException.class,
                () -> DirectServer.start(new InetSocketAddress(HOST, server.port()), ECHO, log::add));
        assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + server.port() + ": "), e.getMessage());
    }

    @Test
    void replyTimeout() {
        CountDownLatch release = new CountDownLatch(1);
        DirectServer server = serve(f -> {
            await(release);
            return ECHO.handle(f);
        });
        try {
            DirectConnection c = connect(server);
            DirectTransportException e = assertThrows(DirectTransportException.class,
                    () -> c.exchange(envelope(1), Duration.ofMillis(300)));
            assertEquals("no reply from 127.0.0.1:" + server.port() + " within 300 ms", e.getMessage());
            assertFalse(c.isOpen(), "a late reply must not answer the next exchange");
            ConnectionClosedException again = assertThrows(ConnectionClosedException.class,
                    () -> c.exchange(envelope(2), BOUND));
            assertEquals("the connection to 127.0.0.1:" + server.port() + " is closed", again.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void serverCloseWhileClientConnected() {
        DirectServer server = serve(ECHO);
        DirectConnection c = connect(server);
        Frame sent = envelope(1);
        assertEchoed(sent, c.exchange(sent, BOUND));
        server.close();
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> c.exchange(sent, BOUND));
        String where = "127.0.0.1:" + server.port();
        assertTrue(e.getMessage().equals(where + " closed the connection before replying")
                || e.getMessage().startsWith("the connection to " + where + " failed: "), e.getMessage());
        assertFalse(c.isOpen());
        DirectTransportException refused = assertThrows(DirectTransportException.class,
                () -> DirectConnection.open(HOST, server.port(), BOUND));
        assertTrue(refused.getMessage().contains("connection refused"));
    }

    @Test
    void serverCloseLetsAHandlerInFlightFinishAndAnswer() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        DirectServer server = serve(f -> {
            entered.countDown();
            await(release);
            finished.set(true);
            return ECHO.handle(f);
        });
        DirectConnection c = connect(server);
        Frame sent = envelope(1);
        CompletableFuture<List<Frame>> answer =
                CompletableFuture.supplyAsync(() -> c.exchange(sent, BOUND), threads);
        await(entered);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close, threads);
        awaitRefused(server.port()); // close() has begun
        assertFalse(finished.get());
        release.countDown();
        closing.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertTrue(finished.get(), "close() returned before the handler call finished");
        assertEchoed(sent, answer.get(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertThrows(ConnectionClosedException.class, () -> c.exchange(sent, BOUND));
    }

    @Test
    void clientReportsAServerThatDropsMidFrame() throws Exception {
        int port = fakeServer(out -> {
            byte[] reply = FrameCodec.encode(Frame.reply(tag(), bytes(20)));
            out.write(Arrays.copyOf(reply, 30));
        });
        DirectConnection c = closeLater(DirectConnection.open(HOST, port, BOUND));
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class,
                () -> c.exchange(envelope(1), BOUND));
        assertEquals("the connection to 127.0.0.1:" + port
                + " dropped: the connection closed mid-frame after 30 of 58 bytes", e.getMessage());
        assertFalse(c.isOpen());
    }

    @Test
    void clientReportsAServerThatSendsGarbage() throws Exception {
        int port = fakeServer(out -> out.write(new byte[] {0, 0, 0, 2, 1, 2}));
        DirectConnection c = closeLater(DirectConnection.open(HOST, port, BOUND));
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> c.exchange(envelope(1), BOUND));
        assertEquals("127.0.0.1:" + port + " sent a malformed frame: frame length 2 is too short for a version,"
                + " a kind and a 32-byte tag (34 bytes)", e.getMessage());
        assertFalse(c.isOpen());
    }

    @Test
    void closingTheConnectionFromAnotherThreadEndsAnExchange() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DirectServer server = serve(f -> {
            entered.countDown();
            await(release);
            return ECHO.handle(f);
        });
        try {
            DirectConnection c = connect(server);
            CompletableFuture<List<Frame>> answer =
                    CompletableFuture.supplyAsync(() -> c.exchange(envelope(1), BOUND), threads);
            await(entered);
            c.close();
            Exception e = assertThrows(Exception.class, () -> answer.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            ConnectionClosedException cause = assertInstanceOf(ConnectionClosedException.class, e.getCause());
            assertEquals("the connection to 127.0.0.1:" + server.port() + " was closed", cause.getMessage());
        } finally {
            release.countDown();
        }
    }

    /** A one-connection server that reads one frame, then answers with whatever {@code reply} writes. */
    private int fakeServer(IoConsumer reply) throws IOException {
        ServerSocket listener = closeLater(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
        Thread.ofVirtual().start(() -> {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                assertNotNull(FrameCodec.read(in).orElseThrow());
                OutputStream out = s.getOutputStream();
                reply.accept(out);
                out.flush();
            } catch (IOException e) {
                // the test fails on the client side
            }
        });
        return listener.getLocalPort();
    }

    private interface IoConsumer {
        void accept(OutputStream out) throws IOException;
    }

    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                new Socket(HOST, port).close();
            } catch (IOException e) {
                return;
            }
            Thread.sleep(10); // still accepting
        }
        throw new AssertionError("the server still accepts connections");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(BOUND.toSeconds() * 3, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
