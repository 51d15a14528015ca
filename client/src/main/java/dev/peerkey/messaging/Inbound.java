package dev.peerkey.messaging;

import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.HandshakeException;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.SessionException;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.store.Tx;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Accepts one incoming envelope: finds the session by its tag, checks that the peer is still
 * active with the key the session was made with, decrypts, and stores the result in one transaction together with the advanced
 * ratchet. A refused envelope changes nothing. A redelivered one is recognised and not stored
 * twice, but acknowledged again so the sender stops resending.
 */
final class Inbound {
    /** What became of an accepted envelope. */
    enum Outcome {
        /** A new chat message, now stored. */
        STORED,
        /** The same message or envelope arrived before: nothing stored again. */
        DUPLICATE,
        /** A control packet (confirmation, acknowledgement, endpoint update), applied. */
        CONTROL
    }

    /**
     * @param session the session the envelope belongs to
     * @param acknowledge the message ID the sender waits an acknowledgement for, or null
     * @param ack the acknowledgement envelope (to the sender's inbox tag), if one was asked for
     */
    record Received(Outcome outcome, SessionRecord session, SessionRoute route, Packet packet,
            MessageId acknowledge, byte[] ack) { }

    private final Store store;
    private final KeyBinding keys;
    private final Clock clock;

    Inbound(Store store, KeyBinding keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * @param ackNow whether to encrypt the acknowledgement now (direct: it goes back on the same
     *     connection) or leave it to the caller to batch (mailbox)
     * @throws MessagingException naming why the envelope was refused; nothing was stored
     */
    Received receive(byte[] tag, byte[] envelope, Transport via, boolean ackNow) {
        SessionRecord session = store.inTransactionReturning(tx -> {
            SessionRoute route = tx.routeByInboxTag(tag).orElseThrow(() -> new MessagingException(
                    "refused a message not addressed to this profile (no session has its recipient tag)"));
            return tx.sessionById(route.sessionId()).orElseThrow();
        });
        if (session.status() == SessionStatus.REVOKED) {
            throw new MessagingException("refused a message from " + session.peer() + ": " + keys.whyClosed(session));
        }
        checkPeerStillActive(session);
        try {
            return store.inTransactionReturning(tx -> apply(tx, tag, envelope, via, ackNow));
        } catch (SessionException | HandshakeException e) {
            throw new MessagingException("refused a message from " + session.peer() + ": " + e.getMessage(), e);
        }
    }

    /** The peer is active with the session's key; otherwise the session is closed (by {@link KeyBinding}). */
    private void checkPeerStillActive(SessionRecord session) {
        try {
            keys.requireCurrent(session);
        } catch (PeerUnavailableException e) {
            throw new MessagingException("refused a message: " + e.getMessage()
                    + ", after this session began; the session is closed", e);
        } catch (KeyChangedException e) {
            throw new MessagingException("refused a message from " + session.peer() + ": " + e.getMessage(), e);
        }
    }

    private Received apply(Tx tx, byte[] tag, byte[] envelope, Transport via, boolean ackNow) {
        SessionRoute route = tx.routeByInboxTag(tag).orElseThrow();
        SessionRecord session = tx.sessionById(route.sessionId()).orElseThrow();
        if (tx.seen(envelope)) {
            Optional<Message> earlier = tx.incomingByEnvelope(envelope);
            return acknowledged(tx, Outcome.DUPLICATE, session, route, null,
                    earlier.map(Message::id).orElse(null), ackNow);
        }
        DoubleRatchet ratchet = ratchetOf(session);
        Packet packet = Packet.decode(ratchet.decrypt(envelope));
        SessionStatus status = session.status();
        String endpoint = session.endpoint();
        if (!route.confirmed()) {
            if (packet.type() != Packet.Type.CONFIRM || !MessageDigest.isEqual(route.confirmation(), packet.body())) {
                throw new MessagingException("refused a message from " + session.peer()
                        + ": the session's first message must confirm the initiator's keys, and this one does not");
            }
            tx.confirmRoute(route.sessionId());
            status = SessionStatus.ESTABLISHED;
        }
        Outcome outcome = Outcome.CONTROL;
        switch (packet.type()) {
            case TEXT -> outcome = tx.insertIncoming(session.sessionId(), packet.id(), packet.body(), envelope, via,
                    packet.sentAt()) ? Outcome.STORED : Outcome.DUPLICATE;
            case ACK -> packet.acknowledged().forEach(tx::markDelivered);
            case ENDPOINT -> endpoint = endpointOf(packet);
            case CONFIRM -> { }
        }
        if (packet.type() != Packet.Type.TEXT) {
            tx.markSeen(envelope);
        }
        MessageId acknowledge = packet.type().acknowledged() ? packet.id() : null;
        // The acknowledgement goes out under the same ratchet, saved once with everything else.
        byte[] ack = ackNow && acknowledge != null
                ? ratchet.encrypt(Packet.ack(List.of(acknowledge), clock.instant()).encode()) : null;
        if (status != session.status() || !Objects.equals(endpoint, session.endpoint())) {
            tx.saveSession(session.sessionId(), session.ourId(), session.peer(), status, ratchet.toBytes(), endpoint);
        } else {
            tx.saveState(session.sessionId(), ratchet.toBytes());
        }
        return new Received(outcome, session, route, packet, acknowledge, ack);
    }

    /** The session's ratchet; a session that ended long enough ago has none left (the store wiped it). */
    private static DoubleRatchet ratchetOf(SessionRecord session) {
        if (session.state() == null) {
            throw new MessagingException("refused a message for a session that has ended");
        }
        return DoubleRatchet.fromBytes(session.state());
    }

    private static String endpointOf(Packet packet) {
        String text = packet.text();
        return text.isEmpty() ? null : Endpoint.parse(text).toString();
    }

    /** Encrypts the acknowledgement now if asked to, advancing the ratchet in the same transaction. */
    private Received acknowledged(Tx tx, Outcome outcome, SessionRecord session, SessionRoute route, Packet packet,
            MessageId acknowledge, boolean ackNow) {
        byte[] ack = null;
        if (ackNow && acknowledge != null) {
            ack = encryptAck(tx, session.sessionId(), List.of(acknowledge));
        }
        return new Received(outcome, session, route, packet, acknowledge, ack);
    }

    /** Encrypts one acknowledgement for {@code ids} and saves the advanced ratchet. */
    byte[] encryptAck(Tx tx, byte[] sessionId, List<MessageId> ids) {
        DoubleRatchet ratchet = ratchetOf(tx.sessionById(sessionId).orElseThrow());
        byte[] envelope = ratchet.encrypt(Packet.ack(ids, clock.instant()).encode());
        tx.saveState(sessionId, ratchet.toBytes());
        return envelope;
    }
}
