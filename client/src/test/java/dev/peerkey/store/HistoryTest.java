package dev.peerkey.store;

import static dev.peerkey.store.Fixtures.peer;
import static dev.peerkey.store.Fixtures.random;
import static dev.peerkey.store.Fixtures.scalar;
import static dev.peerkey.store.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read mark (schema v12) and the filters of the message history `inbox` shows. */
class HistoryTest {
    @TempDir
    Path dir;
    final TestClock clock = new TestClock();
    Store store;
    final PeerId bob = peer();
    final PeerId carol = peer();
    byte[] withBob;
    byte[] withCarol;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY, clock, Store.Sync.FULL);
        withBob = Fixtures.established(store, bob);
        withCarol = Fixtures.established(store, carol);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private MessageId receive(byte[] session, String body) {
        MessageId id = MessageId.random();
        store.inTransaction(tx -> assertTrue(tx.insertIncoming(session, id, text(body), random(40), Transport.CHAIN,
                null)));
        clock.advance(Duration.ofMinutes(1));
        return id;
    }

    private MessageId sendTo(byte[] session, String body) {
        MessageId id = MessageId.random();
        store.inTransaction(tx -> tx.insertOutgoing(session, id, text(body), random(40)));
        clock.advance(Duration.ofMinutes(1));
        return id;
    }

    private boolean read(MessageId id) {
        Boolean read = store.inTransactionReturning(tx -> tx.isRead(id));
        return read;
    }

    private boolean markRead(MessageId id) {
        return store.inTransactionReturning(tx -> tx.markRead(id));
    }

    private List<String> texts(History filter) {
        return store.inTransactionReturning(tx -> tx.history(filter)).stream().map(Message::text).toList();
    }

    @Test
    void aReceivedMessageIsUnreadUntilMarkedOnce() {
        MessageId hi = receive(withBob, "hi");
        MessageId out = sendTo(withBob, "hello");
        assertFalse(read(hi));
        assertEquals(List.of("hi"), texts(new History(null, null, null, true, true, 100)), "only unread, only in");
        assertTrue(markRead(hi));
        assertFalse(markRead(hi), "read once");
        assertTrue(read(hi));
        assertFalse(markRead(out), "an outgoing message has no read mark");
        assertFalse(markRead(MessageId.random()), "unknown");
        assertEquals(List.of(), texts(new History(null, null, null, true, true, 100)));
        store.close();
        store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY, clock, Store.Sync.FULL);
        assertTrue(read(hi), "kept across reopening");
    }

    @Test
    void historyFiltersByPeerTimeDirectionAndKeepsTheNewest() {
        receive(withBob, "b1");
        Instant afterB1 = clock.now();
        sendTo(withBob, "to bob");
        receive(withCarol, "c1");
        receive(withBob, "b2");
        receive(withBob, "b3");
        store.inTransaction(tx -> tx.insertOutgoing(withBob, MessageId.random(), MessageKind.CONFIRM, text("ctl"),
                random(40)));

        assertEquals(List.of("b1", "to bob", "c1", "b2", "b3"), texts(new History(null, null, null, true, false, 100)),
                "chat text only, in order");
        assertEquals(List.of("b1", "c1", "b2", "b3"), texts(new History(null, null, null, false, false, 100)));
        assertEquals(List.of("b1", "to bob", "b2", "b3"), texts(new History(null, bob, null, true, false, 100)));
        assertEquals(List.of("to bob", "c1", "b2", "b3"), texts(new History(null, null, afterB1, true, false, 100)));
        assertEquals(List.of("b2", "b3"), texts(new History(null, bob, null, true, false, 2)), "the last two");
        assertEquals(List.of(), texts(new History(peer(), null, null, true, false, 100)), "another identity's");
        assertEquals(5, texts(new History(Fixtures.ME, null, null, true, false, 100)).size());
        assertThrows(IllegalArgumentException.class, () -> new History(null, null, null, true, false, 0));
    }

    /** v11 to v12: the messages already there count as read (every earlier `inbox` printed them all). */
    @Test
    void migratingFromVersion11MarksWhatWasThereRead() {
        store.close();
        Path db = dir.resolve("old.db");
        for (int v = 0; v < 11; v++) {
            for (String statement : Schema.MIGRATIONS.get(v)) {
                Fixtures.execute(db, statement);
            }
        }
        Fixtures.execute(db, "PRAGMA user_version = 11");
        Fixtures.execute(db, "INSERT INTO sessions (session_id, our_id, peer_id, status, state, created_at, updated_at)"
                + " VALUES (zeroblob(32), zeroblob(32), randomblob(32), 'established', x'00', 1, 1)");
        Fixtures.execute(db, "INSERT INTO messages (id, session_id, direction, status, body, envelope, transport,"
                + " created_at) VALUES (randomblob(16), zeroblob(32), 'in', 'received', x'6869', x'00', 'chain', 7)");
        Fixtures.execute(db, "INSERT INTO messages (id, session_id, direction, status, body, envelope, created_at)"
                + " VALUES (randomblob(16), zeroblob(32), 'out', 'queued', x'796f', x'00', 8)");
        store = Store.open(db, Fixtures.KEY, clock, Store.Sync.FULL);
        assertEquals(String.valueOf(Schema.VERSION), scalar(db, "PRAGMA user_version"));
        assertEquals("7", scalar(db, "SELECT read_at FROM messages WHERE direction = 'in'"));
        assertEquals("0", scalar(db, "SELECT count(*) FROM messages WHERE direction = 'out' AND read_at IS NOT NULL"));
        assertEquals(List.of(), texts(new History(null, null, null, true, true, 100)), "nothing unread");
        assertEquals(2, texts(new History(null, null, null, true, false, 100)).size());
        assertThrows(AssertionError.class, () -> Fixtures.execute(db, "UPDATE messages SET read_at = 1"
                + " WHERE direction = 'out'"), "the table refuses a read mark on an outgoing message");
    }
}
