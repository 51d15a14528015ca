package dev.peerkey.messaging;

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
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.DirectTransportException;
import dev.peerkey.transport.direct.Frame;
import java.time.Duration;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * Encrypts and stores outgoing packets, then delivers their envelopes: directly when the peer
 * told us an endpoint (and the caller did not ask for the chain), waiting for the peer's
 * acknowledgement; through the mailbox otherwise, or when the direct attempt is not
 * acknowledged in time.
 */
final class Outbound {
    /** How one envelope went out. */
    record Delivery(MessageId id, Transport via, String txHash, Long gasUsed, String fallbackReason, boolean delivered) { }

    private final Store store;
    private final Inbound inbound;
    private final MessengerContract contract;
    private final Credentials payer;
    private final DirectLinks links;
    private final Duration ackTimeout;

    Outbound(Store store, Inbound inbound, MessengerContract contract, Credentials payer, DirectLinks links,
            Duration ackTimeout) {
        this.store = store;
        this.inbound = inbound;
        this.contract = contract;
        this.payer = payer;
        this.links = links;
        this.ackTimeout = ackTimeout;
    }

    /**
     * Encrypts {@code packet} with the session's ratchet and stores it as QUEUED with the advanced
     * state, in one transaction: from here on a crash resends this envelope, never re-encrypts.
     */
    Message queue(byte[] sessionId, Packet packet, MessageKind kind, byte[] body) {
        return store.inTransactionReturning(tx -> {
            SessionRecord session = tx.sessionById(sessionId).orElseThrow();
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(session.state());
            byte[] envelope = ratchet.encrypt(packet.encode());
            tx.saveState(sessionId, ratchet.toBytes());
            return tx.insertOutgoing(sessionId, packet.id(), kind, body, envelope);
        });
    }

    /** Delivers a stored message; {@code via} null picks direct when possible. */
    Delivery deliver(Message message, Transport via) {
        Target target = targetOf(message.sessionId());
        SessionRoute route = target.route();
        String fallback = null;
        if (via != Transport.CHAIN) {
            Endpoint endpoint = endpointOf(target.session());
            if (endpoint == null) {
                fallback = via == Transport.DIRECT ? target.session().peer() + " has not told us a direct endpoint"
                        : null;
            } else {
                try {
                    // Recorded after the exchange, off the path to the peer: a crash before it leaves the
                    // message QUEUED, so it is resent and the peer drops the copy.
                    exchange(endpoint, route.outboxTag(), message.envelope(),
                            () -> store.inTransaction(tx -> tx.markSent(message.id(), Transport.DIRECT)));
                    if (statusOf(message.id()) == MessageStatus.DELIVERED) {
                        return new Delivery(message.id(), Transport.DIRECT, null, null, null, true);
                    }
                    fallback = "no acknowledgement from " + endpoint;
                } catch (DirectTransportException | MessagingException e) {
                    fallback = e.getMessage();
                }
            }
        }
        TxResult tx = contract.post(payer, route.outboxTag(), message.envelope());
        store.inTransaction(t -> t.markSent(message.id(), Transport.CHAIN));
        return new Delivery(message.id(), Transport.CHAIN, tx.txHash(), tx.gasUsed(), fallback,
                statusOf(message.id()) == MessageStatus.DELIVERED);
    }

    /** Sends an envelope that is not stored (an acknowledgement): direct if possible, else the mailbox. */
    void deliverUnstored(byte[] sessionId, byte[] envelope) {
        Target target = targetOf(sessionId);
        SessionRoute route = target.route();
        Endpoint endpoint = endpointOf(target.session());
        if (endpoint != null) {
            try {
                exchange(endpoint, route.outboxTag(), envelope, () -> { });
                return;
            } catch (DirectTransportException | MessagingException e) {
                // The mailbox below is the fallback.
            }
        }
        contract.post(payer, route.outboxTag(), envelope);
    }

    /** One frame to the peer; its replies (acknowledgements) are applied as they come back. */
    private void exchange(Endpoint endpoint, byte[] tag, byte[] envelope, Runnable sent) {
        List<Frame> replies = links.exchange(endpoint, Frame.envelope(tag, envelope), ackTimeout);
        sent.run();
        for (Frame reply : replies) {
            if (reply.kind() == Frame.Kind.ERROR) {
                throw new MessagingException(endpoint + " refused it: " + reply.reason());
            }
            if (reply.body().length > 0) {
                inbound.receive(reply.tag(), reply.body(), Transport.DIRECT, false);
            }
        }
    }

    private static Endpoint endpointOf(SessionRecord session) {
        return session.endpoint() == null ? null : Endpoint.parse(session.endpoint());
    }

    private record Target(SessionRecord session, SessionRoute route) { }

    private Target targetOf(byte[] sessionId) {
        return store.inTransactionReturning(tx -> new Target(tx.sessionById(sessionId).orElseThrow(),
                tx.route(sessionId).orElseThrow(() -> new MessagingException("session 0x"
                        + java.util.HexFormat.of().formatHex(sessionId) + " has no route; start a new one with"
                        + " `peerkey auth`"))));
    }

    private MessageStatus statusOf(MessageId id) {
        return store.inTransactionReturning(tx -> tx.message(id).orElseThrow().status());
    }
}
