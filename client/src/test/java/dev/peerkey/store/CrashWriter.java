package dev.peerkey.store;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Child process for {@link CrashTest} and {@link ConcurrencyTest}: runs
 * {@link CounterWrites#step} transactions on one database and prints each counter value after
 * its commit. Arguments: database path, session ID in hex, number of steps (negative: until
 * killed).
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        byte[] session = HexFormat.of().parseHex(args[1]);
        long steps = Long.parseLong(args[2]);
        try (Store store = Store.open(db, Fixtures.KEY)) {
            for (long i = 0; steps < 0 || i < steps; i++) {
                long n = store.inTransactionReturning(tx -> CounterWrites.step(tx, session, "child"));
                System.out.println(n);
                System.out.flush();
            }
        }
    }
}
