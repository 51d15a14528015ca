package dev.peerkey.transport.direct;

import static dev.peerkey.transport.direct.DirectFrameCodecTest.bytes;
import static dev.peerkey.transport.direct.DirectFrameCodecTest.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The direct listener's limits: each one reached over real sockets, with the budgets' clock
 * stopped (it moves only when a test moves it), so no result depends on how fast this machine is.
 * Over a limit the connection closes and the handler is not called for that frame.
 */
@Timeout(60)
class DirectLimitsTest {
    private static final String HOST = "127.0.0.1";
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int LARGEST = FrameCodec.LENGTH_SIZE + FrameCodec.MAX_LENGTH;

    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicInteger handled = new AtomicInteger();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static DirectLimits limits(int perAddress, int total, int frameBurst, int byteBurst, int refusalBurst,
            Duration frameTimeout) {
        return new DirectLimits(perAddress, total, 1, frameBurst, 1, byteBurst, 1, refusalBurst, Duration.ofMinutes(2),
                frameTimeout);
    }

    private DirectServer serve(DirectLimits limits, FrameHandler handler) {
        DirectServer server = DirectServer.start(new InetSocketAddress(HOST, 0), f -> {
            handled.incrementAndGet();
            return handler.handle(f);
        }, log::add, limits, clock::get);
        resources.add(server);
        return server;
    }

    private DirectServer echo(DirectLimits limits) {
        return serve(limits, f -> List.of(Frame.reply(f.tag(), f.body())));
    }

    private DirectConnection connect(DirectServer server) {
        DirectConnection c = DirectConnection.open(HOST, server.port(), BOUND);
        resources.add(c);
        return c;
    }

    private Socket raw(DirectServer server) throws IOException {
        Socket s = new Socket(HOST, server.port());
        s.setSoTimeout((int) BOUND.toMillis());
        resources.add(s);
        return s;
    }

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

    private static Frame small() {
        return Frame.envelope(tag(), bytes(100));
    }

    @Test
    void anAddressOverItsFrameBurstIsCutOffUnansweredAndReconnectingDoesNotRefillIt() throws Exception {
        DirectServer server = echo(limits(8, 64, 5, 1 << 20, 50, BOUND));
        DirectConnection c = connect(server);
        for (int i = 0; i < 5; i++) {
            c.exchange(small(), BOUND);
        }
        assertThrows(ConnectionClosedException.class, () -> c.exchange(small(), BOUND));
        assertEquals(5, handled.get(), "the frame over the limit was not handled");
        assertTrue(awaitLog("over the limit of 1 frames/s (burst 5)").startsWith("direct: closed connection from 127.0.0.1:"));

        DirectConnection again = connect(server);
        assertThrows(ConnectionClosedException.class, () -> again.exchange(small(), BOUND),
                "a new connection from the same address has the same empty budget");
        assertEquals(5, handled.get());

        clock.addAndGet(TimeUnit.SECONDS.toNanos(1)); // one frame's worth refills
        DirectConnection later = connect(server);
        later.exchange(small(), BOUND);
        assertEquals(6, handled.get());
    }

    @Test
    void anAddressOverItsByteBudgetIsCutOffBeforeTheBodyIsRead() {
        DirectServer server = echo(limits(8, 64, 1_000, LARGEST + 500, 50, BOUND));
        DirectConnection c = connect(server);
        c.exchange(Frame.envelope(tag(), bytes(Frame.MAX_BODY)), BOUND);
        assertThrows(ConnectionClosedException.class, () -> c.exchange(Frame.envelope(tag(), bytes(600)), BOUND));
        assertEquals(1, handled.get());
    }

    @Test
    void refusedFramesHaveTheirOwnSmallerBudget() throws Exception {
        DirectServer server = serve(limits(8, 64, 1_000, 1 << 20, 3, BOUND), f -> List.of(Frame.refusal()));
        DirectConnection c = connect(server);
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(Frame.refusal()), c.exchange(small(), BOUND));
        }
        assertThrows(ConnectionClosedException.class, () -> c.exchange(small(), BOUND));
        assertEquals(3, handled.get(), "no decryption attempt past the refusal budget");
        awaitLog("over the limit of 1 refused frames/s (burst 3)");
    }

    @Test
    void connectionsPerAddressAreCapped() throws Exception {
        DirectServer server = echo(limits(2, 64, 1_000, 1 << 20, 50, BOUND));
        DirectConnection first = connect(server);
        DirectConnection second = connect(server);
        first.exchange(small(), BOUND);
        second.exchange(small(), BOUND);
        Socket third = raw(server);
        assertEquals(-1, third.getInputStream().read(), "the third connection is closed on accept");
        assertTrue(awaitLog("over the limit of 2 open connections per address").contains("127.0.0.1"));

        first.close();
        assertTrue(connectsWithin(server), "a slot frees when a connection ends");
        second.exchange(small(), BOUND);
    }

    @Test
    void connectionsInAllAreCapped() throws Exception {
        DirectServer server = echo(limits(8, 1, 1_000, 1 << 20, 50, BOUND));
        connect(server).exchange(small(), BOUND);
        assertEquals(-1, raw(server).getInputStream().read());
        awaitLog("over the limit of 1 open connections");
    }

    /** Tries new connections until one is served (the server frees a slot when it sees the close). */
    private boolean connectsWithin(DirectServer server) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            try (DirectConnection c = DirectConnection.open(HOST, server.port(), BOUND)) {
                c.exchange(small(), BOUND);
                return true;
            } catch (DirectTransportException e) {
                // not yet
            }
        }
        return false;
    }

    @Test
    void aFrameTricklingInIsCutOffAtTheFrameTimeout() throws Exception {
        DirectServer server = echo(limits(8, 64, 1_000, 1 << 20, 50, Duration.ofMillis(300)));
        Socket s = raw(server);
        OutputStream out = s.getOutputStream();
        out.write(new byte[] {0, 0}); // half a length prefix, then nothing
        out.flush();
        assertEquals(-1, s.getInputStream().read(), "closed although the idle timeout is minutes");
        assertTrue(awaitLog("a frame took longer than 300 ms").startsWith("direct: closed connection from 127.0.0.1:"));
        assertEquals(0, handled.get());
    }

    @Test
    void aPeerThatNeverReadsItsAnswersIsCutOffAtTheFrameTimeout() throws Exception {
        DirectServer server = echo(limits(8, 64, 1_000_000, Integer.MAX_VALUE, 50, Duration.ofMillis(300)));
        Socket s = raw(server);
        byte[] wire = FrameCodec.encode(Frame.envelope(tag(), bytes(Frame.MAX_BODY)));
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100_000; i++) { // echoed, and never read: the buffers fill up
                s.getOutputStream().write(wire);
            }
        });
        assertTrue(awaitLog("did not read the answer within 300 ms").startsWith("direct: closed connection from"));
    }

    @Test
    void logLinesPerAddressAreThrottledAndCounted() throws Exception {
        DirectServer server = echo(limits(1, 64, 1_000, 1 << 20, 50, BOUND));
        DirectConnection held = connect(server);
        held.exchange(small(), BOUND);
        for (int i = 0; i < 3; i++) {
            assertEquals(-1, raw(server).getInputStream().read());
        }
        awaitLog("open connections per address");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertEquals(-1, raw(server).getInputStream().read());
        String line = awaitLog("open connections per address");
        assertTrue(line.endsWith("(and 2 more from this address)"), line);
    }

    @Test
    void budgetsRefillAtTheirRateUpToTheBurst() {
        Budget b = new Budget(2, 4, 0);
        assertTrue(b.take(4, 0));
        assertFalse(b.any(0));
        assertFalse(b.take(1, 400_000_000L), "0.8 of a token after 0.4 s");
        assertTrue(b.take(1, 500_000_000L));
        assertFalse(b.full(500_000_000L));
        assertTrue(b.full(10_000_000_000L), "never above the burst");
        assertTrue(b.take(4, 10_000_000_000L));
        assertFalse(b.any(10_000_000_000L));
    }

    @Test
    void addressesAreIpv4OrAnIpv6Slash64() throws Exception {
        assertEquals("192.0.2.7", Admission.key(InetAddress.getByName("192.0.2.7")));
        assertEquals("192.0.2.7", Admission.key(InetAddress.getByName("::ffff:192.0.2.7")));
        assertEquals(Admission.key(InetAddress.getByName("2001:db8:1:2::1")),
                Admission.key(InetAddress.getByName("2001:db8:1:2:ffff::9")), "one /64, one budget");
        assertNotEquals(Admission.key(InetAddress.getByName("2001:db8:1:2::1")),
                Admission.key(InetAddress.getByName("2001:db8:1:3::1")));
    }

    @Test
    void anIdleAddressIsForgottenOnlyOnceItsBudgetsAreFullAgain() throws Exception {
        DirectLimits limits = limits(8, 64, 5, 1 << 20, 50, BOUND);
        AtomicLong now = new AtomicLong();
        Admission admission = new Admission(limits, now::get);
        Admission.Address spent = admission.address(InetAddress.getByName("198.51.100.1"));
        assertEquals(null, admission.connect(spent));
        for (int i = 0; i < 5; i++) {
            assertEquals(null, spent.chargeFrame(100));
        }
        admission.release(spent);
        crowd(admission, 1); // sweeps on the way
        assertTrue(admission.remembered() < 1_100, "idle addresses with full budgets are forgotten");
        assertSame(spent, admission.address(InetAddress.getByName("198.51.100.1")),
                "an address with spent budgets is not: reconnecting would refill them");
        now.addAndGet(TimeUnit.HOURS.toNanos(1)); // the 500 bytes refill at 1 byte/s
        crowd(admission, 2);
        assertNotSame(spent, admission.address(InetAddress.getByName("198.51.100.1")), "forgotten once full again");
    }

    /** Enough new addresses to make the next look-up sweep. */
    private static void crowd(Admission admission, int net) throws IOException {
        for (int i = 0; i < 1_100; i++) {
            admission.address(InetAddress.getByAddress(new byte[] {10, (byte) net, (byte) (i >> 8), (byte) i}));
        }
    }
}
