package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Checkpoint;
import dev.peerkey.store.Cursor;
import dev.peerkey.store.HandshakeRole;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.PendingHandshake;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.ChainEvent;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.RequestStatus;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.utils.Numeric;

/**
 * Reads the Messenger's events for this identity from the block after its cursor to the chain
 * head (after a chain reorganisation, from the fork point: see {@link #resumeFrom}): answers
 * contacts' handshake requests and keeps strangers' as message requests (see
 * {@link Requests}), finishes our handshakes, and accepts mailbox envelopes
 * for our sessions' tags. Every step is idempotent, and the cursor moves only after the whole
 * range is handled, so a crash at any point re-reads rather than loses. Mailbox messages are
 * acknowledged in one packet per session: carried by our next post on that session if one comes
 * within the grace period ({@link OwedAcks}), else on their own, all sessions' in one batch.
 */
final class MailboxFollower {
    /** Most tags in one eth_getLogs filter. */
    static final int TAGS_PER_QUERY = 200;
    /**
     * How many of the blocks its cursor stood on a follower remembers (with their hashes) to find
     * where a reorganisation forked: one per pass that found new blocks, so at least the last 64
     * blocks (Ethereum finalises in two epochs of 32).
     */
    static final int CHECKPOINTS = 64;

    private final Store store;
    private final PeerId me;
    private final MessengerContract contract;
    private final Handshakes handshakes;
    private final Requests requests;
    private final Inbound inbound;
    private final Outbound outbound;
    private final String cursorName;
    private final long startBlock;
    private final Consumer<String> notices;
    private final Clock clock;
    private final OwedAcks owed;
    /** The tags of the sessions followed in this pass, by epoch (see {@link TagWindow}). */
    private TagWindow window = TagWindow.of(List.of(), Optional.empty(), Instant.EPOCH);

    MailboxFollower(Store store, PeerId me, MessengerContract contract, Handshakes handshakes, Requests requests,
            Inbound inbound, Outbound outbound, long startBlock, Consumer<String> notices, Clock clock,
            OwedAcks owed) {
        this.store = store;
        this.me = me;
        this.contract = contract;
        this.handshakes = handshakes;
        this.requests = requests;
        this.inbound = inbound;
        this.outbound = outbound;
        this.cursorName = "mailbox:" + contract.address().toLowerCase() + ":" + me.hex();
        this.startBlock = startBlock;
        this.notices = notices;
        this.clock = clock;
        this.owed = owed;
    }

    ChatClient.SyncReport pass() {
        Block head = head();
        List<Checkpoint> checkpoints = store.inTransactionReturning(tx -> tx.checkpoints(cursorName));
        Optional<Cursor> cursor = store.inTransactionReturning(tx -> tx.cursor(cursorName));
        long from = resumeFrom(cursor, checkpoints, head);
        if (from > head.number()) {
            if (checkpoints.isEmpty() && cursor.isPresent()) { // a cursor from before checkpoints: start them
                store.inTransaction(tx -> tx.setCursor(cursorName, new Checkpoint(head.number(), head.hash()),
                        CHECKPOINTS));
            }
            return new ChatClient.SyncReport(head.number(), 0, 0, 0, List.of(), List.of());
        }
        Counts counts = new Counts();
        Set<ByteBuffer> followed = new HashSet<>();
        List<byte[]> tags = inboxTags();
        tags.forEach(t -> followed.add(ByteBuffer.wrap(t)));
        handle(events(from, head.number(), tags), counts);
        // Sessions made in this range may already have mail in it: read their tags too.
        List<byte[]> fresh;
        while (counts.answered + counts.finished > 0 && !(fresh = newTags(followed)).isEmpty()) {
            List<ChainEvent> posts = events(from, head.number(), fresh).stream()
                    .filter(e -> e instanceof ChainEvent.PostEvent).toList();
            handle(posts, counts);
        }
        // Owed from now: a post of ours on the same session carries them, else they go out alone
        // once the grace period has passed (acknowledgeOwed, after every pass).
        counts.toAck.forEach((session, ids) -> owed.add(session.array(), ids));
        // The range counts as read only if the chain still ends in the head it was read to: a
        // reorganisation meanwhile may have changed what the logs said, so the next pass reads again.
        boolean unchanged = Arrays.equals(hashOf(head.number()), head.hash());
        store.inTransaction(tx -> {
            if (unchanged) {
                tx.setCursor(cursorName, new Checkpoint(head.number(), head.hash()), CHECKPOINTS);
            }
            requests.sweep(tx);
        });
        return new ChatClient.SyncReport(head.number(), counts.stored, counts.answered, counts.finished,
                counts.refused, counts.requests);
    }

    /** A block of the chain as the node reports it now. */
    private record Block(long number, byte[] hash) { }

    /** The chain's latest block. */
    private Block head() {
        EthBlock.Block block = contract.chain().send(contract.chain().web3j()
                .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
        if (block == null || block.getNumberRaw() == null || block.getHash() == null) {
            throw new MessagingException("the node at " + contract.chain().rpcUrl() + " reported no latest block");
        }
        return new Block(block.getNumber().longValueExact(), Numeric.hexStringToByteArray(block.getHash()));
    }

    /** The hash of block {@code number} on the chain now, or null if the chain has no such block (any more). */
    private byte[] hashOf(long number) {
        EthBlock.Block block = contract.chain().send(contract.chain().web3j().ethGetBlockByNumber(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)).getBlock();
        return block == null || block.getHash() == null ? null : Numeric.hexStringToByteArray(block.getHash());
    }

    /**
     * The first block to read: the one after the newest checkpoint whose block the chain still
     * holds with the same hash. Everything up to such a block is as it was when it was read (each
     * block's hash covers its parent's); a checkpoint whose block changed or is gone was
     * reorganised, and whatever was read after the fork point is read again (every step is
     * idempotent, so nothing is taken twice). If no checkpoint survived (a reorganisation deeper
     * than the {@link #CHECKPOINTS} remembered), everything is read again from the start block.
     */
    private long resumeFrom(Optional<Cursor> cursor, List<Checkpoint> checkpoints, Block head) {
        if (cursor.isEmpty()) {
            return startBlock;
        }
        if (checkpoints.isEmpty()) {
            return cursor.get().block() + 1; // followed before checkpoints were kept
        }
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            if (c.block() > head.number()) {
                continue; // the chain is shorter now: that block is gone
            }
            byte[] now = c.block() == head.number() ? head.hash() : hashOf(c.block());
            if (now != null && c.hashIs(now)) {
                if (i > 0) {
                    notices.accept("the chain was reorganised: reading the mailbox again from block "
                            + (c.block() + 1));
                    // Back to the fork point: the checkpoints of the branch the chain left go with it.
                    store.inTransaction(tx -> tx.setCursor(cursorName, c, CHECKPOINTS));
                }
                return c.block() + 1;
            }
        }
        notices.accept("the chain was reorganised deeper than the " + checkpoints.size()
                + " blocks remembered: reading the mailbox again from block " + startBlock);
        return startBlock;
    }

    /**
     * Finishes our pending handshakes whose answer is on chain but was missed or refused when it
     * came by (a node that lied at the time, say): reads our accept events again from the start
     * block. Returns how many it finished.
     */
    int recoverHandshakes() {
        handshakes.resubmitDropped(ChatClient.RESEND_AFTER, notices);
        List<byte[]> answered = store.inTransactionReturning(tx -> tx.pendingHandshakes()).stream()
                .filter(h -> h.role() == HandshakeRole.INITIATOR && h.ourId().equals(me))
                .map(PendingHandshake::requestId)
                .filter(id -> contract.requestStatus(id) == RequestStatus.ACCEPTED)
                .toList();
        if (answered.isEmpty()) {
            return 0;
        }
        List<ChainEvent> accepts = contract.events(startBlock, contract.latestBlock(), me, List.of()).stream()
                .filter(e -> e instanceof ChainEvent.AcceptEvent a
                        && answered.stream().anyMatch(id -> Arrays.equals(id, a.accept().requestId())))
                .toList();
        Counts counts = new Counts();
        handle(accepts, counts);
        return counts.finished;
    }

    private static final class Counts {
        int stored;
        int answered;
        int finished;
        final List<String> refused = new ArrayList<>();
        final List<PeerId> requests = new ArrayList<>();
        final Map<ByteBuffer, List<MessageId>> toAck = new LinkedHashMap<>();
    }

    private void handle(List<ChainEvent> events, Counts counts) {
        for (ChainEvent event : events) {
            try {
                switch (event) {
                    case ChainEvent.RequestEvent r -> {
                        switch (requests.receive(r.request(), r.block())) {
                            case ANSWERED -> counts.answered++;
                            case STORED -> counts.requests.add(r.request().initiator());
                            case IGNORED -> { }
                        }
                    }
                    case ChainEvent.AcceptEvent a -> {
                        Optional<Message> confirm = handshakes.finish(a.accept());
                        if (confirm.isPresent()) {
                            counts.finished++;
                            outbound.deliver(confirm.get(), null);
                        }
                    }
                    case ChainEvent.PostEvent p -> {
                        byte[] inboxTag = window.inboxTagOf(p.tag()).orElse(p.tag());
                        Inbound.Received received = inbound.receive(inboxTag, p.envelope(), Transport.CHAIN, false);
                        if (received.outcome() == Inbound.Outcome.STORED) {
                            counts.stored++;
                        } else if (received.outcome() == Inbound.Outcome.DUPLICATE) {
                            notices.accept("ignored a second copy (replayed or resent) of a message from " + received.session().peer()
                                    + " that was received before");
                        }
                        if (received.acknowledge() != null) {
                            counts.toAck.computeIfAbsent(ByteBuffer.wrap(received.session().sessionId()),
                                    k -> new ArrayList<>()).add(received.acknowledge());
                        }
                    }
                }
            } catch (PeerkeyException e) {
                counts.refused.add(e.getMessage());
                notices.accept(e.getMessage());
            }
        }
    }

    /**
     * Sends the acknowledgements that waited their grace period for a post to carry them ({@code
     * all}: every one owed, as a command does before it exits).
     */
    void acknowledgeOwed(boolean all) {
        acknowledge(all ? owed.takeAll() : owed.takeDue(clock.instant()));
    }

    /**
     * One acknowledgement per session, all sent together: direct where the peer answers, the rest
     * in as few mailbox transactions as carry them, sent back to back and awaited together
     * ({@link Outbound#deliverUnstored(List)}), so a pass with mail on many sessions takes about a
     * block to acknowledge, not a block per session.
     */
    private void acknowledge(Map<ByteBuffer, List<MessageId>> toAck) {
        if (toAck.isEmpty()) {
            return;
        }
        List<Outbound.Unstored> acks = new ArrayList<>();
        int messages = 0;
        for (Map.Entry<ByteBuffer, List<MessageId>> e : toAck.entrySet()) {
            byte[] sessionId = e.getKey().array();
            List<MessageId> ids = e.getValue();
            try {
                acks.add(new Outbound.Unstored(sessionId,
                        store.inTransactionReturning(tx -> inbound.encryptAck(tx, sessionId, ids))));
                messages += ids.size();
            } catch (PeerkeyException failure) {
                notices.accept("could not acknowledge " + ids.size() + " message(s): " + failure.getMessage());
            }
        }
        if (acks.isEmpty()) {
            return;
        }
        try {
            outbound.deliverUnstored(acks);
        } catch (PeerkeyException e) {
            notices.accept("could not acknowledge " + messages + " message(s) on " + acks.size() + " session(s): "
                    + e.getMessage());
        }
    }

    /** The tags of this identity's followed sessions' current epochs; also remembers which session each is for. */
    private List<byte[]> inboxTags() {
        window = store.inTransactionReturning(tx -> TagWindow.read(tx, me, cursorName, clock.instant()));
        return window.tags();
    }

    /**
     * {@link MessengerContract#events}, asking for at most {@link #TAGS_PER_QUERY} tags at a time (a
     * client offline for weeks follows many epochs): the first query also brings the handshake
     * events, the others only posts.
     */
    private List<ChainEvent> events(long from, long head, List<byte[]> tags) {
        List<ChainEvent> events = new ArrayList<>(contract.events(from, head, me,
                tags.subList(0, Math.min(tags.size(), TAGS_PER_QUERY))));
        for (int i = TAGS_PER_QUERY; i < tags.size(); i += TAGS_PER_QUERY) {
            contract.events(from, head, me, tags.subList(i, Math.min(tags.size(), i + TAGS_PER_QUERY))).stream()
                    .filter(e -> e instanceof ChainEvent.PostEvent).forEach(events::add);
        }
        events.sort(Comparator.comparingLong(ChainEvent::block).thenComparingLong(ChainEvent::logIndex));
        return events;
    }

    private List<byte[]> newTags(Set<ByteBuffer> followed) {
        List<byte[]> fresh = new ArrayList<>();
        for (byte[] tag : inboxTags()) {
            if (followed.add(ByteBuffer.wrap(tag))) {
                fresh.add(tag);
            }
        }
        return fresh;
    }
}
