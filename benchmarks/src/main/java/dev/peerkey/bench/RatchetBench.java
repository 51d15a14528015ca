package dev.peerkey.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.RatchetKeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one chat message through the Double Ratchet: the sender encrypts, the receiver
 * decrypts. Run: {@code java -jar benchmarks/target/benchmarks.jar RatchetBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RatchetBench {
    private static final byte[] ASSOCIATED_DATA = new byte[96]; // two identity IDs and a transcript hash

    /** Plaintext size in bytes. */
    @Param("100")
    public int size;

    private DoubleRatchet alice;
    private DoubleRatchet bob;
    private byte[] plaintext;
    private boolean aliceSends;

    @Setup(Level.Trial)
    public void setUp() {
        SecureRandom random = new SecureRandom();
        byte[] sharedSecret = new byte[32];
        random.nextBytes(sharedSecret);
        plaintext = new byte[size];
        random.nextBytes(plaintext);
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        alice = DoubleRatchet.initiator(sharedSecret, bobKey.publicKey(), ASSOCIATED_DATA);
        bob = DoubleRatchet.responder(sharedSecret, bobKey, ASSOCIATED_DATA);
        bob.decrypt(alice.encrypt(plaintext)); // Bob's first DH step, outside the measurement
        aliceSends = false;
    }

    /** Symmetric ratchet only: Alice encrypts, Bob decrypts, same chains throughout. */
    @Benchmark
    public byte[] encryptDecrypt() {
        return bob.decrypt(alice.encrypt(plaintext));
    }

    /**
     * Directions alternate, so every message starts a new chain: the receiver does a DH
     * ratchet step (two X25519 agreements and one key generation) besides the symmetric work.
     */
    @Benchmark
    public byte[] encryptDecryptWithRatchetStep() {
        aliceSends = !aliceSends;
        return aliceSends ? bob.decrypt(alice.encrypt(plaintext)) : alice.decrypt(bob.encrypt(plaintext));
    }

    /** Serializing the state, which the caller stores before every send. */
    @Benchmark
    public byte[] stateToBytes() {
        return alice.toBytes();
    }
}
