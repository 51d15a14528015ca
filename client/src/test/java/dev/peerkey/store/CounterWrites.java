package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The "send" transaction used by the concurrency and crash tests: advance the session state
 * (here a counter), queue a message and move a counter cursor, all at once. If any of the
 * three is ever out of step with the others, a transaction was torn.
 */
final class CounterWrites {
    static final String COUNTER = "test:counter";

    private CounterWrites() {
    }

    /** One transaction's work; returns the new counter value. */
    static long step(Tx tx, byte[] session, String writer) {
        long n = tx.cursor(COUNTER).map(Cursor::block).orElse(0L) + 1;
        tx.saveState(session, ByteBuffer.allocate(Long.BYTES).putLong(n).array());
        tx.insertOutgoing(session, MessageId.random(), text(n + " " + writer), random(120));
        tx.setCursor(COUNTER, n, 0);
        return n;
    }

    /** Checks the invariants on a fresh Store and returns the counter. */
    static long verify(Path db, byte[] session) {
        List<String> integrity = Fixtures.column(db, "PRAGMA integrity_check");
        assertEquals(List.of("ok"), integrity);
        assertEquals(List.of(), Fixtures.column(db, "PRAGMA foreign_key_check"));
        try (Store store = Store.open(db, Fixtures.KEY)) {
            return store.inTransactionReturning(tx -> {
                long counter = tx.cursor(COUNTER).map(Cursor::block).orElse(0L);
                long state = ByteBuffer.wrap(tx.sessionById(session).orElseThrow().state()).getLong();
                List<Message> messages = tx.undelivered(Integer.MAX_VALUE);
                assertEquals(counter, messages.size(), "one message per counter step");
                if (counter > 0) {
                    assertEquals(counter, state, "session state in step with the counter");
                }
                for (int i = 0; i < messages.size(); i++) {
                    // Every step exactly once, in commit order.
                    assertEquals(String.valueOf(i + 1), messages.get(i).text().split(" ")[0]);
                }
                return counter;
            });
        }
    }
}
