package dev.peerkey.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer process killed with SIGKILL at a random moment loses no commit and tears none. */
class CrashTest {
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesAConsistentDatabase() throws Exception {
        Path db = dir.resolve("peerkey.db");
        byte[] session;
        try (Store store = Store.open(db, Fixtures.KEY)) {
            session = Fixtures.established(store, Fixtures.peer());
        }
        Random random = new Random();
        long before = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            long reported;
            try (ChildJvm child = new ChildJvm(db, session, -1, dir, "child-" + round)) {
                assertTrue(child.awaitFirstCommit(), () -> "child never committed: " + child.errors());
                Thread.sleep(20 + random.nextInt(400));
                child.process.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
                child.await();
                reported = child.lastCommitted();
            }
            long counter = CounterWrites.verify(db, session);
            // Every commit the child reported survived; at most one more committed unreported.
            assertTrue(counter == reported || counter == reported + 1,
                    "round " + round + ": counter " + counter + ", child reported " + reported);
            assertTrue(counter > before, "round " + round + " committed nothing");
            before = counter;
            System.out.println("crash round " + round + ": " + counter + " commits in total, the child had reported " + reported);
        }
    }
}
