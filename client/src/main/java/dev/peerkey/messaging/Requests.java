package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.FirstMessage;
import dev.peerkey.handshake.HandshakeException;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Payload;
import dev.peerkey.handshake.Peer;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import dev.peerkey.store.ContactStatus;
import dev.peerkey.store.MessageRequest;
import dev.peerkey.store.RequestMessage;
import dev.peerkey.store.Store;
import dev.peerkey.store.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Consent for handshakes. A request from a contact (an identity we authenticated to, or whose
 * request we accepted) is answered at once, as before. A request from anyone else is only
 * verified, decrypted for display and kept as a message request: nothing is paid, no endpoint
 * is sent and no connection is made until the user accepts it; a blocked identity's requests are
 * dropped silently. Requests expire after {@link #REQUEST_LIFETIME}; sessions we answered that
 * never get the initiator's key confirmation expire after {@link #UNCONFIRMED_LIFETIME}, and
 * their tags are no longer followed.
 */
final class Requests {
    /** How long an unanswered message request is kept. */
    static final Duration REQUEST_LIFETIME = Duration.ofDays(7);
    /** How long a session we answered waits for the initiator's key confirmation (its handshake's lifetime). */
    static final Duration UNCONFIRMED_LIFETIME = Handshakes.LIFETIME;

    /** What became of a request addressed to us. */
    enum Outcome { ANSWERED, STORED, IGNORED }

    /** The result of {@link #accept}: answered, or (the request too old to answer) a new handshake of ours. */
    record Accepted(PeerId peer, byte[] sessionId, TxResult tx, boolean restarted, int messages) { }

    private final Store store;
    private final LocalIdentity me;
    private final Handshakes handshakes;
    private final PeerCheck peers;
    private final Clock clock;

    Requests(Store store, LocalIdentity me, Handshakes handshakes, PeerCheck peers, Clock clock) {
        this.store = store;
        this.me = me;
        this.handshakes = handshakes;
        this.peers = peers;
        this.clock = clock;
    }

    /**
     * A request from the chain: answered if it comes from a contact and can still be answered,
     * ignored if its sender is blocked or it was seen before, else verified and stored.
     *
     * @throws MessagingException if it is not signed by its initiator's current key or its sealed
     *     payload does not open (nothing is stored)
     */
    Outcome receive(AuthRequest request, long block) {
        if (!request.responder().equals(me.id())) {
            return Outcome.IGNORED;
        }
        HandshakeTypedData domain = handshakes.domain();
        byte[] requestId = request.requestId(domain);
        PeerId from = request.initiator();
        Optional<ContactStatus> status = store.inTransactionReturning(tx -> tx.contactStatus(me.id(), from));
        if (status.equals(Optional.of(ContactStatus.BLOCKED)) || seen(requestId)) {
            return Outcome.IGNORED;
        }
        if (status.isPresent() && handshakes.answerable(request)) {
            return handshakes.answer(request, block) ? Outcome.ANSWERED : Outcome.IGNORED;
        }
        if (request.signedAt().isBefore(clock.instant().minus(REQUEST_LIFETIME))) {
            return Outcome.IGNORED;
        }
        Payload payload;
        try {
            Peer initiator = peers.requireActive(from).peer();
            request.verify(initiator.currentKey(), domain);
            payload = request.open(me.key());
        } catch (PeerUnavailableException | HandshakeException e) {
            throw new MessagingException("refused a handshake request from " + from + ": " + e.getMessage(), e);
        }
        List<RequestMessage> messages = payload.messages().stream().map(Requests::stored).toList();
        MessageRequest row = new MessageRequest(requestId, me.id(), from, StoredRequest.encode(request),
                request.signedAt(), clock.instant(), messages);
        return store.inTransactionReturning(tx -> tx.saveRequest(row)) ? Outcome.STORED : Outcome.IGNORED;
    }

    private boolean seen(byte[] requestId) {
        return store.inTransactionReturning(tx -> tx.knowsRequest(requestId) || tx.sessionById(requestId).isPresent());
    }

    /** The message requests waiting, oldest first (expired ones deleted first). */
    List<MessageRequest> list() {
        store.inTransaction(this::sweep);
        return store.inTransactionReturning(tx -> tx.requests(me.id()));
    }

    /**
     * Accepts {@code peer}'s message requests: {@code peer} becomes a contact, the first messages of
     * all its requests (each message ID once) are stored as received, and the newest request is
     * answered — or, if it is too old for the contract to take an answer (or the contract refuses
     * the answer), a new handshake of ours is sent instead, carrying nothing of the request.
     *
     * @throws MessagingException if there is no request from {@code peer}
     */
    Accepted accept(PeerId peer) {
        List<MessageRequest> waiting = list().stream().filter(r -> r.peer().equals(peer)).toList();
        if (waiting.isEmpty()) {
            throw new MessagingException("no message request from " + peer + blockedHint(peer));
        }
        List<RequestMessage> messages = distinct(waiting);
        BiConsumer<Tx, byte[]> consent = (tx, sessionId) -> {
            tx.setContactStatus(me.id(), peer, ContactStatus.CONTACT);
            for (MessageRequest r : waiting) {
                Handshakes.receiveFirstMessages(tx, sessionId, r.requestId(),
                        r.messages().stream().map(Requests::first).toList());
            }
            tx.dropRequests(me.id(), peer);
        };
        AuthRequest newest = StoredRequest.decode(waiting.get(waiting.size() - 1).request());
        String answerFailure = null;
        if (handshakes.answerable(newest)) {
            try {
                Optional<TxResult> tx = handshakes.answer(newest, 0, consent); // where to look for a copied accept: anywhere
                if (tx.isPresent()) {
                    return new Accepted(peer, newest.requestId(handshakes.domain()), tx.get(), false,
                            messages.size());
                }
            } catch (PeerkeyException e) { // refused by the contract, or no longer opens (a rotation): start afresh
                answerFailure = e.getMessage();
            }
        }
        try {
            Handshakes.Started started = handshakes.start(peer, true, null, consent);
            return new Accepted(peer, started.requestId(), started.tx(), true, messages.size());
        } catch (RuntimeException e) {
            throw new MessagingException((answerFailure == null ? "" : answerFailure + "; ")
                    + "could not send " + peer + " a new handshake request either: " + e.getMessage(), e);
        }
    }

    /** Drops {@code peer}'s requests without answering; returns how many. */
    int decline(PeerId peer) {
        int n = store.inTransactionReturning(tx -> tx.dropRequests(me.id(), peer));
        if (n == 0) {
            throw new MessagingException("no message request from " + peer + blockedHint(peer));
        }
        return n;
    }

    /**
     * Blocks {@code peer}: its requests are dropped now and ignored from now on, every session with
     * it is closed for good (its envelopes' tags are no longer followed), our handshakes with it
     * are forgotten. Returns how many requests it dropped.
     */
    int block(PeerId peer) {
        if (peer.equals(me.id())) {
            throw new MessagingException("cannot block yourself: " + peer + " is this identity");
        }
        return store.inTransactionReturning(tx -> {
            tx.setContactStatus(me.id(), peer, ContactStatus.BLOCKED);
            tx.closeSessionsWith(me.id(), peer);
            tx.deletePendingHandshakesWith(me.id(), peer);
            return tx.dropRequests(me.id(), peer);
        });
    }

    /** Lifts a block: {@code peer} is then a stranger again (its next request waits for consent). */
    void unblock(PeerId peer) {
        boolean was = store.inTransactionReturning(tx -> {
            if (!tx.contactStatus(me.id(), peer).equals(Optional.of(ContactStatus.BLOCKED))) {
                return false;
            }
            return tx.removeContactStatus(me.id(), peer);
        });
        if (!was) {
            throw new MessagingException(peer + " is not blocked");
        }
    }

    List<PeerId> blocked() {
        return store.inTransactionReturning(tx -> tx.peersWithStatus(me.id(), ContactStatus.BLOCKED));
    }

    /** Deletes expired requests and closes the sessions we answered that were never confirmed in time. */
    void sweep(Tx tx) {
        Instant now = clock.instant();
        tx.deleteExpiredRequests(now.minus(REQUEST_LIFETIME), now.minus(REQUEST_LIFETIME.plusDays(1)));
        tx.expireUnconfirmedIncoming(UNCONFIRMED_LIFETIME);
    }

    private String blockedHint(PeerId peer) {
        boolean blocked = store.inTransactionReturning(tx -> tx.contactStatus(me.id(), peer))
                .equals(Optional.of(ContactStatus.BLOCKED));
        return blocked ? " (it is blocked: `peerkey unblock " + peer + "` lets its next request through)" : "";
    }

    /** Every message of these requests, each ID once, oldest request first. */
    static List<RequestMessage> distinct(List<MessageRequest> requests) {
        Set<Object> ids = new HashSet<>();
        List<RequestMessage> out = new ArrayList<>();
        for (MessageRequest r : requests) {
            for (RequestMessage m : r.messages()) {
                if (ids.add(m.id())) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static RequestMessage stored(FirstMessage m) {
        return new RequestMessage(dev.peerkey.store.MessageId.of(m.id()), m.sentAt(), m.text());
    }

    private static FirstMessage first(RequestMessage m) {
        return new FirstMessage(m.id().bytes(), m.sentAt(), m.body());
    }
}
