package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.EphemeralKey;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.HandshakeException;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.RatchetKeyPair;
import dev.peerkey.store.HandshakeRole;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.transport.MessengerContract;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * The three handshake steps with their persistence: start (store the ephemeral key and the
 * signed request, then submit), answer (verify, store the responder's session awaiting key
 * confirmation, then submit the accept) and finish (verify, establish, queue the key
 * confirmation). Each step is idempotent, so a follower that re-reads a block after a crash,
 * or two processes of one profile, cannot answer or finish a handshake twice.
 */
final class Handshakes {
    /** How long a started handshake waits for its answer; the contract's freshness window is one hour. */
    static final Duration LIFETIME = Duration.ofHours(1);
    /** Requests older than this are not answered: the contract would refuse the accept as stale. */
    private static final Duration ANSWERABLE = LIFETIME.minusMinutes(5);

    /** A request we submitted. */
    record Started(byte[] requestId, PeerId peer, TxResult tx) { }

    private final Store store;
    private final LocalIdentity me;
    private final Credentials payer;
    private final MessengerContract contract;
    private final Handshake handshake;
    private final PeerCheck peers;
    private final Clock clock;
    private final Supplier<Endpoint> advertised;

    Handshakes(Store store, LocalIdentity me, Credentials payer, MessengerContract contract, PeerCheck peers,
            Clock clock, Supplier<Endpoint> advertised) {
        this.store = store;
        this.me = me;
        this.payer = payer;
        this.contract = contract;
        this.handshake = new Handshake(contract.domain());
        this.peers = peers;
        this.clock = clock;
        this.advertised = advertised;
    }

    HandshakeTypedData domain() {
        return handshake.domain();
    }

    /** Initiator: verifies the peer is active, stores the pending handshake, then submits the request. */
    Started start(PeerId peerId) {
        if (peerId.equals(me.id())) {
            throw new MessagingException("cannot authenticate with yourself: " + peerId + " is this identity");
        }
        Peer peer = peers.requireActive(peerId);
        Instant now = clock.instant();
        PendingHandshake pending = handshake.start(me, peer, now, advertised.get());
        AuthRequest request = pending.request();
        byte[] requestId = request.requestId(domain());
        try {
            store.inTransaction(tx -> tx.savePendingHandshake(new dev.peerkey.store.PendingHandshake(requestId,
                    HandshakeRole.INITIATOR, me.id(), peerId, pending.ephemeralKey().privateKey(), now,
                    now.plus(LIFETIME), StoredRequest.encode(request))));
        } finally {
            pending.ephemeralKey().destroy();
        }
        try {
            return new Started(requestId, peerId, contract.requestAuth(payer, request));
        } catch (PeerkeyException e) {
            store.inTransaction(tx -> tx.deletePendingHandshake(requestId));
            throw e;
        }
    }

    /**
     * Responder: answers a request addressed to us, unless this profile answered it already or it
     * is too old for the contract to take an answer.
     *
     * @return whether this call answered it
     * @throws MessagingException if the request or its initiator is refused
     */
    boolean answer(AuthRequest request) {
        byte[] requestId = request.requestId(domain());
        // A request answered elsewhere (or long ago) makes the accept revert; the session is then closed.
        if (!request.responder().equals(me.id()) || sessionExists(requestId)
                || request.signedAt().isBefore(clock.instant().minus(ANSWERABLE))) {
            return false;
        }
        Peer initiator;
        try {
            initiator = peers.requireActive(request.initiator());
        } catch (PeerUnavailableException e) {
            throw new MessagingException("refused a handshake request: " + e.getMessage(), e);
        }
        Endpoint ours = advertised.get();
        Acceptance acceptance = handshake.accept(me, initiator, request, clock.instant(), ours);
        SessionKeys keys = acceptance.keys();
        try {
            DoubleRatchet ratchet = DoubleRatchet.responder(keys.sharedSecret(),
                    RatchetKeyPair.fromPrivateKey(keys.responderRatchetPrivateKey()), keys.associatedData());
            SessionTags tags = SessionTags.of(keys);
            byte[] mailboxKey = MailboxTags.key(keys);
            String peerEndpoint = keys.peerEndpoint().map(Endpoint::toString).orElse(null);
            boolean stored = store.inTransactionReturning(tx -> {
                if (tx.sessionById(requestId).isPresent()) {
                    return false;
                }
                tx.saveSession(requestId, me.id(), initiator.id(), SessionStatus.PENDING_INCOMING, ratchet.toBytes(),
                        peerEndpoint);
                tx.saveRoute(new SessionRoute(requestId, tags.inbox(), tags.outbox(), keys.initiatorConfirmation(),
                        ours == null ? null : ours.toString()));
                tx.setMailboxKey(requestId, mailboxKey);
                return true;
            });
            if (!stored) {
                return false;
            }
        } finally {
            keys.destroy();
        }
        try {
            contract.acceptAuth(payer, acceptance.accept());
        } catch (PeerkeyException e) {
            close(requestId);
            throw new MessagingException("could not answer " + initiator.id() + "'s handshake: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * Initiator: completes our pending handshake that {@code accept} answers, establishes the
     * session and queues the key confirmation, its first message.
     *
     * @return the queued confirmation, or empty if no handshake of ours was waiting for this answer
     * @throws MessagingException if the answer is signed by the wrong key,
     *     bound to another request, or fails key confirmation (the handshake stays pending)
     */
    Optional<Message> finish(AuthAccept accept) {
        Optional<dev.peerkey.store.PendingHandshake> stored = store.inTransactionReturning(
                tx -> tx.pendingHandshake(accept.requestId()));
        if (stored.isEmpty() || stored.get().role() != HandshakeRole.INITIATOR || !stored.get().ourId().equals(me.id())) {
            return Optional.empty();
        }
        dev.peerkey.store.PendingHandshake row = stored.get();
        AuthRequest request = StoredRequest.decode(row.request());
        Peer responder = peers.requireActiveRecently(row.peer()); // checked afresh when the handshake started
        EphemeralKey ephemeral = EphemeralKey.fromPrivateKey(row.ephemeralPrivateKey());
        SessionKeys keys;
        try {
            keys = handshake.finish(PendingHandshake.of(me, responder, request, ephemeral), accept);
        } catch (HandshakeException e) {
            throw new MessagingException("refused an answer to our handshake with " + responder.id() + ": "
                    + e.getMessage() + "; the handshake stays pending", e);
        } finally {
            ephemeral.destroy();
        }
        try {
            DoubleRatchet ratchet = DoubleRatchet.initiator(keys.sharedSecret(), keys.responderRatchetPublicKey(),
                    keys.associatedData());
            SessionTags tags = SessionTags.of(keys);
            byte[] mailboxKey = MailboxTags.key(keys);
            Packet confirm = Packet.confirm(keys.initiatorConfirmation(), clock.instant());
            byte[] envelope = ratchet.encrypt(confirm.encode());
            String peerEndpoint = keys.peerEndpoint().map(Endpoint::toString).orElse(null);
            Endpoint ours = advertised.get();
            byte[] requestId = accept.requestId();
            return store.inTransactionReturning(tx -> {
                if (!tx.deletePendingHandshake(requestId)) {
                    return Optional.<Message>empty(); // another process of this profile finished it
                }
                tx.saveSession(requestId, me.id(), responder.id(), SessionStatus.ESTABLISHED, ratchet.toBytes(),
                        peerEndpoint);
                tx.saveRoute(new SessionRoute(requestId, tags.inbox(), tags.outbox(), null,
                        ours == null ? null : ours.toString()));
                tx.setMailboxKey(requestId, mailboxKey);
                return Optional.of(tx.insertOutgoing(requestId, confirm.id(), MessageKind.CONFIRM, new byte[0],
                        envelope));
            });
        } finally {
            keys.destroy();
        }
    }

    private boolean sessionExists(byte[] requestId) {
        return store.inTransactionReturning(tx -> tx.sessionById(requestId).isPresent());
    }

    private void close(byte[] sessionId) {
        store.inTransaction(tx -> {
            SessionRecord s = tx.sessionById(sessionId).orElseThrow();
            tx.saveSession(s.sessionId(), s.ourId(), s.peer(), SessionStatus.CLOSED, s.state(), s.endpoint());
        });
    }
}
