package dev.peerkey.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.peerkey.store.StoreKey;

/**
 * The CPU cost of sealing at rest: seal then open one value under the store key (AES-256-GCM,
 * random nonce), for a 100-byte message body and a 300-byte ratchet state. A stored message
 * seals its body, its envelope and the new ratchet state.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SealBench {
    private final StoreKey key = StoreKey.random();
    private final byte[] body = new byte[100];
    private final byte[] state = new byte[300];

    @Benchmark
    public byte[] sealAndOpenBody() {
        return key.open("bench", key.seal("bench", body));
    }

    @Benchmark
    public byte[] sealAndOpenState() {
        return key.open("bench", key.seal("bench", state));
    }
}
