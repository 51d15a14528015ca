package dev.peerkey.bench;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.peerkey.session.Envelope;
import dev.peerkey.transport.direct.DirectConnection;
import dev.peerkey.transport.direct.DirectLimits;
import dev.peerkey.transport.direct.DirectServer;
import dev.peerkey.transport.direct.Frame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One direct-transport exchange on loopback over a persistent connection: the client sends
 * an envelope of a 100-byte message (157 bytes) and waits for the server's REPLY echoing it.
 * Measures framing, two TCP hops and the thread handoffs, not encryption.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar DirectBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DirectBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Far above what one loop can send: this measures the protocol, not the listener's limits. */
    private static final DirectLimits UNREACHED = new DirectLimits(64, 1_024, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofMinutes(2),
            Duration.ofSeconds(10));

    private DirectServer server;
    private DirectConnection connection;
    private Frame envelope;

    @Setup(Level.Trial)
    public void setUp() {
        server = DirectServer.start(new InetSocketAddress("127.0.0.1", 0),
                frame -> List.of(Frame.reply(frame.tag(), frame.body())), System.err::println, UNREACHED);
        connection = DirectConnection.open("127.0.0.1", server.port(), TIMEOUT);
        SecureRandom random = new SecureRandom();
        byte[] tag = new byte[Frame.TAG_SIZE];
        byte[] body = new byte[Envelope.OVERHEAD + 100];
        random.nextBytes(tag);
        random.nextBytes(body);
        envelope = Frame.envelope(tag, body);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connection.close();
        server.close();
    }

    /** Send, server handler, reply, receive. */
    @Benchmark
    public List<Frame> exchange() {
        return connection.exchange(envelope, TIMEOUT);
    }
}
