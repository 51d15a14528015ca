package dev.peerkey.messaging;

import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.HandshakeException;
import dev.peerkey.identity.PeerId;
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

/**
 * Accepts one incoming envelope: finds the session by its tag, decrypts, checks that the peer
 * is still active with the key the session was made with, and stores the result in one transaction together with the advanced
 * ratchet. A refused envelope changes nothing.
 *
 * <p>A copy of an envelope accepted before (the same bytes, or a known message ID), by either
 * transport and across restarts, never advances a ratchet: it is stored once; through the
 * mailbox it is acknowledged again (the sender resends only what it has no acknowledgement for,
 * so the first acknowledgement may have been lost, e.g. dropped by a chain reorganisation), and
 * on a direct connection it gets byte for byte the answer the first one got there. A direct copy of an envelope that came through the mailbox
 * is refused like any envelope that does not decrypt: no peer of ours sends that.
 */
final class Inbound {
    /** What became of an accepted envelope. */
    enum Outcome {
        /** A new chat message, now stored. */
        STORED,
        /** The same message or envelope arrived before: nothing stored again, nothing new encrypted. */
        DUPLICATE,
        /** A control packet (confirmation, acknowledgement, endpoint update), applied. */
        CONTROL
    }

    /**
     * @param packet the decrypted packet, or null for a copy recognised before decrypting
     * @param acknowledge the message ID to acknowledge through the mailbox, or null (nothing new, or answered directly)
     * @param reply when answering a direct frame: the body of the REPLY (an encrypted
     *     acknowledgement, or empty when there is nothing to acknowledge); otherwise null
     */
    record Received(Outcome outcome, SessionRecord session, SessionRoute route, Packet packet,
            MessageId acknowledge, byte[] reply) { }

    /** Whether a session's peer may still speak on it ({@link KeyBinding#requireCurrent} in a chat client). */
    @FunctionalInterface
    interface SessionGate {
        /**
         * @throws PeerUnavailableException if the peer is no longer active (the session is then closed)
         * @throws KeyChangedException if its key is not the session's (the session is then closed)
         */
        void requireCurrent(SessionRecord session);
    }

    /** What an envelope is before it is decrypted: for one of our sessions, and maybe a known copy. */
    private record Trial(SessionRecord session, Received duplicate) { }

    /**
     * How often a mailbox copy of one envelope is acknowledged again at most: anyone can repost a
     * public envelope, and each acknowledgement costs the receiver a post. The sender resends no
     * sooner than {@link ChatClient#RESEND_AFTER}.
     */
    static final java.time.Duration REACK_GAP = ChatClient.RESEND_AFTER;

    private final Store store;
    private final SessionGate gate;
    private final Clock clock;

    Inbound(Store store, SessionGate gate, Clock clock) {
        this.store = store;
        this.gate = gate;
        this.clock = clock;
    }

    /**
     * @param via the transport it came by
     * @param answering whether it came as a direct frame we answer (the reply is then computed,
     *     recorded and returned); false for the mailbox and for acknowledgements read from a reply
     * @throws RefusedException naming why the envelope was refused, with a proof if it decrypted;
     *     nothing was stored
     */
    Received receive(byte[] tag, byte[] envelope, Transport via, boolean answering) {
        Trial trial = store.inTransactionReturning(tx -> trial(tx, tag, envelope, answering));
        if (trial.duplicate() != null) {
            return trial.duplicate();
        }
        SessionRecord session = trial.session();
        // Outside the transaction: a body crafted to be expensive holds no lock while it fails.
        MessageId id = decrypt(session, envelope).packet().id();
        // The envelope decrypted under the session: from here a refusal may say why.
        if (session.status() == SessionStatus.REVOKED) {
            throw RefusedException.proven(id, "refused a message from " + session.peer() + ": "
                    + whyClosed(session), null);
        }
        checkPeerStillActive(session, id);
        return store.inTransactionReturning(tx -> apply(tx, tag, envelope, via, answering));
    }

    /** Finds the session, and answers a known copy; the caller then decrypts on a copy of the state, not saved. */
    private static Trial trial(Tx tx, byte[] tag, byte[] envelope, boolean answering) {
        SessionRoute route = tx.routeByInboxTag(tag).orElseThrow(() -> RefusedException.unproven(
                "refused a message not addressed to this profile (no session has its recipient tag)"));
        SessionRecord session = tx.sessionById(route.sessionId()).orElseThrow();
        return new Trial(session, tx.seen(envelope) ? copy(tx, session, route, envelope, answering) : null);
    }

    private record Opened(DoubleRatchet ratchet, Packet packet) { }

    private static Opened decrypt(SessionRecord session, byte[] envelope) {
        if (session.state() == null) {
            throw RefusedException.unproven("refused a message from " + session.peer() + ": the session is "
                    + session.status().name().toLowerCase() + " and its keys are gone");
        }
        try {
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(session.state());
            return new Opened(ratchet, Packet.decode(ratchet.decrypt(envelope)));
        } catch (SessionException | MessagingException e) {
            throw RefusedException.unproven("refused a message from " + session.peer() + ": " + e.getMessage(), e);
        }
    }

    /** Why a closed session refuses messages: the peer's revocation or its key change. */
    private String whyClosed(SessionRecord session) {
        try {
            gate.requireCurrent(session);
            return "the session is closed";
        } catch (KeyChangedException | PeerUnavailableException e) {
            return e.getMessage();
        }
    }

    /** The peer is active with the session's key; otherwise the session is closed (by {@link KeyBinding}). */
    private void checkPeerStillActive(SessionRecord session, MessageId id) {
        try {
            gate.requireCurrent(session);
        } catch (PeerUnavailableException e) {
            throw RefusedException.proven(id, "refused a message: " + e.getMessage()
                    + ", after this session began; the session is closed", e);
        } catch (KeyChangedException e) {
            throw RefusedException.proven(id, "refused a message from " + session.peer() + ": " + e.getMessage(), e);
        }
    }

    private Received apply(Tx tx, byte[] tag, byte[] envelope, Transport via, boolean answering) {
        SessionRoute route = tx.routeByInboxTag(tag).orElseThrow();
        SessionRecord session = tx.sessionById(route.sessionId()).orElseThrow();
        if (tx.seen(envelope)) { // a copy that another connection accepted since the trial
            return copy(tx, session, route, envelope, answering);
        }
        Opened opened = decrypt(session, envelope);
        DoubleRatchet ratchet = opened.ratchet();
        Packet packet = opened.packet();
        SessionStatus status = session.status();
        String endpoint = session.endpoint();
        if (!route.confirmed()) {
            if (packet.type() != Packet.Type.CONFIRM || !MessageDigest.isEqual(route.confirmation(), packet.body())) {
                throw RefusedException.proven(packet.id(), "refused a message from " + session.peer()
                        + ": the session's first message must confirm the initiator's keys, and this one does not", null);
            }
            tx.confirmRoute(route.sessionId());
            status = SessionStatus.ESTABLISHED;
        }
        Outcome outcome = Outcome.CONTROL;
        try {
            switch (packet.type()) {
                case TEXT -> outcome = tx.insertIncoming(session.sessionId(), packet.id(), packet.body(), envelope,
                        via, packet.sentAt()) ? Outcome.STORED : Outcome.DUPLICATE;
                case ACK -> packet.acknowledged().forEach(tx::markDelivered);
                case ENDPOINT -> endpoint = endpointOf(packet);
                case CONFIRM -> { }
            }
        } catch (MessagingException | HandshakeException e) {
            throw RefusedException.proven(packet.id(), "refused a message from " + session.peer() + ": "
                    + e.getMessage(), e);
        }
        byte[] reply = null;
        MessageId acknowledge = null;
        if (outcome == Outcome.DUPLICATE) {
            // A known message ID in a new envelope: its keys were used, but nothing new is encrypted.
            tx.markSeen(envelope);
            reply = answering ? earlierReply(tx, packet.id()) : null;
            acknowledge = answering ? null : packet.id(); // the sender has no acknowledgement yet
        } else {
            if (packet.type() != Packet.Type.TEXT) {
                if (packet.type().acknowledged()) {
                    tx.markSeen(envelope, packet.id()); // a copy is acknowledged again
                } else {
                    tx.markSeen(envelope);
                }
            }
            boolean ask = packet.type().acknowledged();
            if (answering) {
                // The acknowledgement goes out under the same ratchet, saved once with everything else.
                reply = ask ? ratchet.encrypt(Packet.ack(List.of(packet.id()), clock.instant()).encode()) : new byte[0];
            } else if (ask) {
                acknowledge = packet.id();
            }
        }
        if (answering) {
            tx.setReply(envelope, reply);
        }
        if (status != session.status() || !Objects.equals(endpoint, session.endpoint())) {
            tx.saveSession(session.sessionId(), session.ourId(), session.peer(), status, ratchet.toBytes(), endpoint);
        } else {
            tx.saveState(session.sessionId(), ratchet.toBytes());
        }
        return new Received(outcome, session, route, packet, acknowledge, reply);
    }

    /**
     * A copy of an accepted envelope: changes nothing. On a direct connection it gets the answer
     * the first one got there; one that first came through the mailbox gets no answer but the
     * refusal that says nothing, since no peer of ours sends a mailbox envelope directly. Through
     * the mailbox, the message it carried is acknowledged again (on an established session, at most
     * once per {@link #REACK_GAP} per envelope): the sender resends only what it holds no
     * acknowledgement for.
     */
    private static Received copy(Tx tx, SessionRecord session, SessionRoute route, byte[] envelope,
            boolean answering) {
        byte[] reply = null;
        MessageId again = null;
        if (answering) {
            reply = tx.replyTo(envelope).orElseThrow(() -> RefusedException.unproven(
                    "refused a direct copy of a message from " + session.peer() + " that came through the mailbox"));
        } else if (session.status() == SessionStatus.ESTABLISHED && session.state() != null) {
            again = tx.acknowledgeCopy(envelope, REACK_GAP).orElse(null);
        }
        return new Received(Outcome.DUPLICATE, session, route, null, again, reply);
    }

    /** The answer the first envelope with this message ID got directly; empty if it came through the mailbox. */
    private static byte[] earlierReply(Tx tx, MessageId id) {
        return tx.message(id).flatMap(m -> tx.replyTo(m.envelope())).orElse(new byte[0]);
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

    /** Encrypts one acknowledgement for {@code ids} and saves the advanced ratchet. */
    byte[] encryptAck(Tx tx, byte[] sessionId, List<MessageId> ids) {
        DoubleRatchet ratchet = ratchetOf(tx.sessionById(sessionId).orElseThrow());
        byte[] envelope = ratchet.encrypt(Packet.ack(ids, clock.instant()).encode());
        tx.saveState(sessionId, ratchet.toBytes());
        return envelope;
    }
}
