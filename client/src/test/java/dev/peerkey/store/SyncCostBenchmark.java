package dev.peerkey.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import dev.peerkey.identity.PeerId;

/**
 * Prints what {@code synchronous=FULL} costs against NORMAL per transaction, for the send
 * pattern (new ratchet state + queued message) and the receive pattern (state + message +
 * envelope hash + cursor). Not a test: run it by hand, e.g.
 * {@code java -cp <test classpath> dev.peerkey.store.SyncCostBenchmark [dir] [transactions]};
 * the directory should be on the disk the profiles live on.
 */
public final class SyncCostBenchmark {
    private SyncCostBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Path dir = Files.createTempDirectory(base, "sync-bench");
        System.out.printf("%d transactions each, in %s%n", n, dir);
        System.out.printf("%-8s %-8s %10s %10s %10s %10s%n", "sync", "pattern", "mean µs", "median µs", "p99 µs", "tx/s");
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT and the disk
            for (Store.Sync sync : Store.Sync.values()) {
                for (String pattern : new String[] {"send", "receive"}) {
                    long[] micros = run(dir.resolve(sync + "-" + pattern + "-" + round + ".db"), sync, pattern, n);
                    if (round == 1) {
                        print(sync, pattern, micros);
                    }
                }
            }
        }
    }

    private static long[] run(Path db, Store.Sync sync, String pattern, int n) {
        byte[] state = Fixtures.random(1500); // about a ratchet state with a few skipped keys
        try (Store store = Store.open(db, Fixtures.KEY, java.time.Clock.systemUTC(), sync)) {
            PeerId peer = Fixtures.peer();
            byte[] session = Fixtures.established(store, peer);
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                byte[] envelope = Fixtures.random(200);
                long start = System.nanoTime();
                if (pattern.equals("send")) {
                    store.inTransaction(tx -> {
                        tx.saveState(session, state);
                        tx.insertOutgoing(session, MessageId.random(), Fixtures.text("a short chat message"), envelope);
                    });
                } else {
                    long block = i;
                    store.inTransaction(tx -> {
                        tx.saveState(session, state);
                        tx.insertIncoming(session, MessageId.random(), Fixtures.text("a short chat message"), envelope,
                                Transport.CHAIN, null);
                        tx.setCursor("chain:mailbox:bench", block, 0);
                    });
                }
                micros[i] = (System.nanoTime() - start) / 1000;
            }
            return micros;
        }
    }

    private static void print(Store.Sync sync, String pattern, long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(micros).average().orElse(0);
        System.out.printf("%-8s %-8s %10.0f %10d %10d %10.0f%n", sync, pattern, mean, sorted[sorted.length / 2],
                sorted[(int) (sorted.length * 0.99)], 1e6 / mean);
    }
}
