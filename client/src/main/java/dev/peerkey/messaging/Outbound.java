package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.RevertException;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.registry.TxResult;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.store.Tx;
import dev.peerkey.transport.direct.DirectTransportException;
import dev.peerkey.transport.direct.Frame;
import java.security.MessageDigest;
import dev.peerkey.store.Post;
import java.time.Duration;
import java.time.Instant;
import org.web3j.utils.Numeric;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Encrypts and stores outgoing packets, then delivers their envelopes: directly when the peer
 * told us an endpoint (and the caller did not ask for the chain), waiting for the peer's
 * acknowledgement; through the mailbox otherwise.
 *
 * <p>A direct attempt falls back to the mailbox only when the peer is unreachable or silent:
 * the connection fails, is cut, or no acknowledgement comes in time, or what answers there does
 * not prove it holds the session (a refusal that says nothing). A refusal that carries the
 * proof for the message is the peer's own answer: the message is marked failed and the send
 * fails with the peer's reason; nothing goes to the mailbox.
 */
final class Outbound {
    /**
     * How one envelope went out.
     *
     * @param acksCarried how many acknowledgements (of messages the peer sent us) its mailbox
     *     transaction carried besides it
     */
    record Delivery(MessageId id, Transport via, String txHash, Long gasUsed, String fallbackReason, boolean delivered,
            int acksCarried) {
        Delivery(MessageId id, Transport via, String txHash, Long gasUsed, String fallbackReason, boolean delivered) {
            this(id, via, txHash, gasUsed, fallbackReason, delivered, 0);
        }
    }

    private final Store store;
    private final Inbound inbound;
    private final MailboxPoster mailbox;
    private final DirectLinks links;
    private final Duration ackTimeout;
    private final OwedAcks owed;
    private final java.time.Clock clock;

    Outbound(Store store, Inbound inbound, MailboxPoster mailbox, DirectLinks links, Duration ackTimeout,
            OwedAcks owed, java.time.Clock clock) {
        this.store = store;
        this.inbound = inbound;
        this.mailbox = mailbox;
        this.links = links;
        this.ackTimeout = ackTimeout;
        this.owed = owed;
        this.clock = clock;
    }

    /** A stored outgoing message, with the session and route it goes by. */
    record Queued(Message message, SessionRecord session, SessionRoute route) { }

    /**
     * Encrypts {@code packet} with the ratchet of the session {@code session} picks and stores it
     * as QUEUED with the advanced state, in one transaction: from here on a crash resends this
     * envelope, never re-encrypts.
     */
    Queued queue(Function<Tx, SessionRecord> session, Packet packet, MessageKind kind, byte[] body) {
        return store.inTransactionReturning(tx -> {
            SessionRecord s = session.apply(tx);
            SessionRoute route = routeIn(tx, s.sessionId());
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(s.state());
            byte[] envelope = ratchet.encrypt(packet.encode());
            tx.saveState(s.sessionId(), ratchet.toBytes());
            return new Queued(tx.insertOutgoing(s.sessionId(), packet.id(), kind, body, envelope), s, route);
        });
    }

    /**
     * Delivers a message stored earlier (a resend); {@code via} null picks direct when possible.
     *
     * @throws MessagingException if the message was cancelled or given up meanwhile (it is not sent)
     */
    Delivery deliver(Message message, Transport via) {
        Queued queued = store.inTransactionReturning(tx -> {
            Message current = tx.message(message.id()).orElseThrow();
            if (current.status() == MessageStatus.CANCELLED || current.status() == MessageStatus.FAILED) {
                throw new MessagingException("message " + message.id() + " was "
                        + current.status().name().toLowerCase(Locale.ROOT) + " meanwhile; it is not sent");
            }
            return new Queued(current, tx.sessionById(message.sessionId()).orElseThrow(),
                    routeIn(tx, message.sessionId()));
        });
        return deliver(queued, via);
    }

    /**
     * Delivers a queued message; {@code via} null picks direct when possible. A failure the
     * mailbox reports for good (the Messenger's own refusal of the envelope, or an envelope
     * larger than it carries when direct delivery failed) marks the message failed: it is never
     * retried, so it cannot hold up the messages behind it; so does the peer's own refusal (one
     * that proves the session), which is not followed by a post. Any other failure (the node
     * down, say) leaves it queued for a resend, with the reason noted.
     *
     * @throws PeerkeyException if it did not go out
     */
    Delivery deliver(Queued queued, Transport via) {
        Message message = queued.message();
        SessionRoute route = queued.route();
        String fallback = null;
        if (via != Transport.CHAIN) {
            Endpoint endpoint = endpointOf(queued.session());
            if (endpoint == null) {
                fallback = via == Transport.DIRECT ? queued.session().peer() + " has not told us a direct endpoint"
                        : null;
            } else {
                try {
                    // Recorded after the exchange, off the path to the peer: a crash before it leaves the
                    // message QUEUED, so it is resent and the peer drops the copy.
                    exchange(endpoint, route.outboxTag(), message.envelope(), message.id(),
                            () -> store.inTransaction(tx -> {
                                tx.markSent(message.id(), Transport.DIRECT);
                                tx.recordPost(message.id(), null);
                            }));
                    if (statusOf(message.id()) == MessageStatus.DELIVERED) {
                        return new Delivery(message.id(), Transport.DIRECT, null, null, null, true);
                    }
                    fallback = "no acknowledgement from " + endpoint;
                } catch (PeerRefused e) {
                    String reason = queued.session().peer() + " refused the message: " + e.getMessage();
                    store.inTransaction(tx -> tx.markFailed(message.id(), reason));
                    throw new MessagingException(reason);
                } catch (DirectTransportException | MessagingException e) {
                    fallback = e.getMessage();
                }
            }
        }
        return post(queued, fallback);
    }

    /** The mailbox: the message's last route, or its only one. */
    private Delivery post(Queued queued, String fallback) {
        Message message = queued.message();
        int length = message.envelope().length;
        if (length > RouteCapacity.MAILBOX) {
            // The peer's endpoint stays out of the stored reason (it is shown, not kept).
            throw giveUp(message, "its envelope has " + length + " bytes, more than the " + RouteCapacity.MAILBOX
                    + " the mailbox carries, and it was not delivered directly", fallback);
        }
        // The acknowledgements we owe on this session ride in the same transaction: one
        // acknowledgement envelope next to the message, so the peer's resend timer stops as it
        // would for one sent alone, and no transaction of its own is paid for it.
        byte[] sessionId = queued.session().sessionId();
        Instant owedSince = clock.instant();
        List<MessageId> carried = owed.take(sessionId);
        byte[] ack = carried.isEmpty() ? null : ackEnvelope(sessionId, carried);
        if (ack == null) {
            carried = List.of();
        }
        TxResult tx;
        try {
            if (ack == null) {
                tx = mailbox.post(queued.session(), queued.route(), message.envelope());
            } else {
                tx = mailbox.postAll(List.of(
                        new MailboxPoster.Item(queued.session(), queued.route(), message.envelope()),
                        new MailboxPoster.Item(queued.session(), queued.route(), ack))).get(0);
            }
        } catch (RevertException e) {
            owed.giveBack(sessionId, carried, owedSince);
            if ("revert".equals(e.errorName())) {
                throw keepQueued(message, e); // no error decoded: a node's failure as likely as a refusal
            }
            throw giveUp(message, e.getMessage(), fallback);
        } catch (PeerkeyException e) {
            owed.giveBack(sessionId, carried, owedSince);
            throw keepQueued(message, e);
        }
        Post post = new Post(Numeric.hexStringToByteArray(tx.txHash()), tx.blockNumber());
        store.inTransaction(t -> {
            t.markSent(message.id(), Transport.CHAIN);
            t.recordPost(message.id(), post);
        });
        return new Delivery(message.id(), Transport.CHAIN, tx.txHash(), tx.gasUsed(), fallback,
                statusOf(message.id()) == MessageStatus.DELIVERED, carried.size());
    }

    /** An acknowledgement of {@code ids} on the session, or null if the session can no longer encrypt (they stay owed). */
    private byte[] ackEnvelope(byte[] sessionId, List<MessageId> ids) {
        try {
            return store.inTransactionReturning(tx -> inbound.encryptAck(tx, sessionId, ids));
        } catch (PeerkeyException e) {
            owed.giveBack(sessionId, ids, clock.instant());
            return null;
        }
    }

    /** Marks the message failed for good, with the reason, and says so. */
    private MessagingException giveUp(Message message, String reason, String directFailure) {
        store.inTransaction(tx -> tx.markFailed(message.id(), reason));
        return new MessagingException("message " + message.id() + " to " + message.peer() + " cannot be delivered: "
                + reason + (directFailure == null ? "" : " (direct: " + directFailure + ")")
                + "; it is marked failed and will not be sent again (see `peerkey outbox`)");
    }

    /** Notes why the mailbox failed and leaves the message queued for a resend. */
    private MessagingException keepQueued(Message message, PeerkeyException e) {
        store.inTransaction(tx -> tx.noteError(message.id(), e.getMessage()));
        return new MessagingException("message " + message.id() + " stays queued: " + e.getMessage()
                + "; it is resent by a later send, inbox, chat or listen (see `peerkey outbox`)", e);
    }

    /** Sends an envelope that is not stored (an acknowledgement): direct if possible, else the mailbox. */
    void deliverUnstored(byte[] sessionId, byte[] envelope) {
        deliverUnstored(List.of(new Unstored(sessionId, envelope)));
    }

    /** An envelope that is not stored (an acknowledgement) for one session. */
    record Unstored(byte[] sessionId, byte[] envelope) { }

    /**
     * Sends envelopes that are not stored (acknowledgements, one per session): each directly when
     * its peer has an endpoint that answers, the rest through the mailbox together, in as few
     * transactions as carry them, sent back to back ({@link MailboxPoster#postAll}).
     *
     * @return how many went through the mailbox
     * @throws dev.peerkey.PeerkeyException if the mailbox transactions could not be sent or failed
     */
    int deliverUnstored(List<Unstored> envelopes) {
        List<MailboxPoster.Item> viaMailbox = new java.util.ArrayList<>();
        for (Unstored u : envelopes) {
            Queued target = store.inTransactionReturning(tx -> new Queued(null,
                    tx.sessionById(u.sessionId()).orElseThrow(), routeIn(tx, u.sessionId())));
            Endpoint endpoint = endpointOf(target.session());
            if (endpoint != null) {
                try {
                    exchange(endpoint, target.route().outboxTag(), u.envelope(), null, () -> { });
                    continue;
                } catch (DirectTransportException | MessagingException e) {
                    // The mailbox is the fallback.
                }
            }
            viaMailbox.add(new MailboxPoster.Item(target.session(), target.route(), u.envelope()));
        }
        mailbox.postAll(viaMailbox);
        return viaMailbox.size();
    }

    /**
     * One frame to the peer; its replies (acknowledgements) are applied as they come back.
     *
     * @param id the message the envelope carries, to check a refusal's proof against; null for an
     *     unstored envelope, whose refusals all count as unproven
     * @throws PeerRefused if the peer refused it with the proof for {@code id}
     * @throws MessagingException if it was refused without proof (or an acknowledgement was refused)
     */
    private void exchange(Endpoint endpoint, byte[] tag, byte[] envelope, MessageId id, Runnable sent) {
        List<Frame> replies = links.exchange(endpoint, Frame.envelope(tag, envelope), ackTimeout);
        sent.run();
        for (Frame reply : replies) {
            if (reply.kind() == Frame.Kind.ERROR) {
                if (id != null && MessageDigest.isEqual(reply.tag(), RefusedException.proof(id))) {
                    throw new PeerRefused(reply.reason());
                }
                throw new MessagingException("the listener at " + endpoint
                        + " did not take it and did not prove it holds the session");
            }
            if (reply.bodyLength() > 0) {
                inbound.receive(reply.tag(), reply.body(), Transport.DIRECT, false);
            }
        }
    }

    /** The peer refused the message under the session's proof: an answer, not unreachability. */
    private static final class PeerRefused extends MessagingException {
        private static final long serialVersionUID = 1L;

        PeerRefused(String reason) {
            super(reason);
        }
    }

    private static Endpoint endpointOf(SessionRecord session) {
        return session.endpoint() == null ? null : Endpoint.parse(session.endpoint());
    }

    private static SessionRoute routeIn(Tx tx, byte[] sessionId) {
        return tx.route(sessionId).orElseThrow(() -> new MessagingException("session 0x"
                + java.util.HexFormat.of().formatHex(sessionId) + " has no route; start a new one with `peerkey auth`"));
    }

    private MessageStatus statusOf(MessageId id) {
        return store.inTransactionReturning(tx -> tx.message(id).orElseThrow().status());
    }
}
