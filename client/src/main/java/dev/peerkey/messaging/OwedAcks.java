package dev.peerkey.messaging;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.Store;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The acknowledgements one identity owes, per session, not sent yet, kept in the store so every
 * process of the profile sees them: a mailbox pass adds what it read; a message we post on the
 * same session — from this process or another, say a `send` while `listen` follows the mailbox —
 * takes them and carries them in its transaction (one acknowledgement envelope next to the
 * message, in one {@code postBatch}); what no post took within the grace period goes out on its
 * own ({@link #takeDue}). Taking is one store transaction, so two processes never both send one.
 */
final class OwedAcks {
    private final Store store;
    private final PeerId me;
    private volatile Duration grace = Duration.ZERO;

    OwedAcks(Store store, PeerId me) {
        this.store = store;
        this.me = me;
    }

    /**
     * How long an acknowledgement may wait for a post to carry it before it goes out alone; zero
     * (the default) sends each pass's acknowledgements at the end of the pass.
     */
    void holdFor(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace period");
        }
        this.grace = grace;
    }

    Duration grace() {
        return grace;
    }

    /** Notes that {@code ids} are owed on session {@code sessionId} from now (an ID owed already keeps its time). */
    void add(byte[] sessionId, List<MessageId> ids) {
        if (!ids.isEmpty()) {
            store.inTransaction(tx -> tx.oweAcks(sessionId, ids));
        }
    }

    /** Takes (removes) everything owed on one session: a post on it carries them. */
    List<MessageId> take(byte[] sessionId) {
        return store.inTransactionReturning(tx -> tx.takeOwedAcks(sessionId));
    }

    /**
     * Puts back what a post took but could not deliver, as owed since {@code since}: they go out
     * alone once the grace period has passed since then.
     */
    void giveBack(byte[] sessionId, List<MessageId> ids, Instant since) {
        if (!ids.isEmpty()) {
            store.inTransaction(tx -> tx.oweAcks(sessionId, ids, since));
        }
    }

    /** Takes the sessions whose oldest owed acknowledgement has waited the grace period at {@code now}. */
    Map<ByteBuffer, List<MessageId>> takeDue(Instant now) {
        Instant before = now.minus(grace);
        return store.inTransactionReturning(tx -> tx.takeOwedAcksDue(me, before));
    }

    /** Takes everything owed (a command that exits sends it all). */
    Map<ByteBuffer, List<MessageId>> takeAll() {
        return store.inTransactionReturning(tx -> tx.takeOwedAcksDue(me, Instant.ofEpochMilli(Long.MAX_VALUE)));
    }

    /** How many acknowledgements are owed and not sent. */
    int size() {
        return store.inTransactionReturning(tx -> tx.owedAcks(me));
    }
}
