package dev.peerkey.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two connections or two processes writing the same profile: no busy errors, no lost updates. */
class ConcurrencyTest {
    private static final int STEPS = 300;

    @TempDir
    Path dir;

    @Test
    void twoStoresOnTwoThreads() throws Exception {
        Path db = dir.resolve("peerkey.db");
        byte[] session;
        try (Store store = Store.open(db, Fixtures.KEY)) {
            session = Fixtures.established(store, Fixtures.peer());
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Store a = Store.open(db, Fixtures.KEY); Store b = Store.open(db, Fixtures.KEY)) {
            List<Future<?>> done = new ArrayList<>();
            for (Store store : List.of(a, b)) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < STEPS; i++) {
                        store.inTransaction(tx -> CounterWrites.step(tx, session, "thread"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(); // rethrows a busy error or a failed assertion
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * STEPS, CounterWrites.verify(db, session));
    }

    @Test
    void twoProcesses() throws Exception {
        Path db = dir.resolve("peerkey.db");
        byte[] session;
        try (Store store = Store.open(db, Fixtures.KEY)) {
            session = Fixtures.established(store, Fixtures.peer());
        }
        try (ChildJvm child = new ChildJvm(db, session, STEPS, dir, "child")) {
            assertTrue(child.awaitFirstCommit(), () -> "child never committed: " + child.errors());
            try (Store store = Store.open(db, Fixtures.KEY)) {
                for (int i = 0; i < STEPS; i++) {
                    store.inTransaction(tx -> CounterWrites.step(tx, session, "parent"));
                }
            }
            assertEquals(0, child.await(), () -> "child failed: " + child.errors());
        }
        assertEquals(2 * STEPS, CounterWrites.verify(db, session));
    }
}
