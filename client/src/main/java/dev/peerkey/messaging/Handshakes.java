package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.EphemeralKey;
import dev.peerkey.handshake.FirstMessage;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.HandshakeException;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.Payload;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.TxResult;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.RatchetKeyPair;
import dev.peerkey.store.ContactStatus;
import dev.peerkey.store.HandshakeRole;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.store.Tx;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.RequestStatus;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * The three handshake steps with their persistence: start (store the ephemeral key and the
 * signed request, then submit), answer (verify, store the responder's session awaiting key
 * confirmation, then submit the accept) and finish (verify, establish, queue the key
 * confirmation). Whom to answer is decided by {@link Requests}; a request may carry first messages. Each step is idempotent, so a follower that re-reads a block after a crash,
 * or two processes of one profile, cannot answer or finish a handshake twice.
 */
final class Handshakes {
    /** How long a started handshake waits for its answer; the contract's freshness window is one hour. */
    static final Duration LIFETIME = Duration.ofHours(1);
    /** Requests older than this are not answered: the contract would refuse the accept as stale. */
    static final Duration ANSWERABLE = LIFETIME.minusMinutes(5);

    /**
     * A request of ours that is on chain.
     *
     * @param tx our transaction, or null if another account submitted the same signed request
     *     first (front-running ours): the request on chain is ours all the same
     * @param keyIndex the number of the peer's key the request was made for
     * @param previousKey the peer's key number the user had accepted before, if it was another
     */
    record Started(byte[] requestId, PeerId peer, TxResult tx, int keyIndex, OptionalInt previousKey) { }

    private final Store store;
    private final LocalIdentity me;
    private final Credentials payer;
    private final MessengerContract contract;
    private final Handshake handshake;
    private final PeerCheck peers;
    private final KeyBinding binding;
    private final Clock clock;
    private final Supplier<Endpoint> advertised;

    Handshakes(Store store, LocalIdentity me, Credentials payer, MessengerContract contract, PeerCheck peers,
            KeyBinding binding, Clock clock, Supplier<Endpoint> advertised) {
        this.store = store;
        this.me = me;
        this.payer = payer;
        this.contract = contract;
        this.handshake = new Handshake(contract.domain());
        this.peers = peers;
        this.binding = binding;
        this.clock = clock;
        this.advertised = advertised;
    }

    HandshakeTypedData domain() {
        return handshake.domain();
    }

    /** Initiator: {@link #start(PeerId, boolean, Packet, BiConsumer)} carrying no message. */
    Started start(PeerId peerId, boolean explicit) {
        return start(peerId, explicit, null, null);
    }

    /**
     * Initiator: verifies the peer is active, stores the pending handshake bound to the peer's
     * current key, then submits the request; the peer becomes a contact. If our transaction fails
     * but the request is on chain (another account submitted a copy of it first), the handshake
     * goes on: the request is ours. With {@code text}, the request also carries, sealed to the
     * peer's key, that chat message and every earlier one to this peer still riding on an
     * unanswered request (a message request the peer reads before answering); they are stored on
     * the request's pending session and count as delivered once the peer accepts.
     *
     * @param explicit whether the user asked for this handshake ({@code peerkey auth}), which
     *     accepts the peer's current key; otherwise a changed key refuses it
     * @param text a new chat message to carry, or null
     * @param alsoInTransaction more work for the transaction that stores the handshake, given the
     *     request ID (a pending session of that ID then exists), or null
     * @throws KeyChangedException if not explicit and the peer's key is not the one the user accepted
     * @throws MessagingException if the messages do not fit in a request
     */
    Started start(PeerId peerId, boolean explicit, Packet text, BiConsumer<Tx, byte[]> alsoInTransaction) {
        if (peerId.equals(me.id())) {
            throw new MessagingException("cannot authenticate with yourself: " + peerId + " is this identity");
        }
        PeerCheck.Verified verified = peers.requireActive(peerId);
        Instant now = clock.instant();
        List<Message> carried = text == null ? List.of()
                : store.inTransactionReturning(tx -> tx.carriedMessages(me.id(), peerId));
        List<FirstMessage> firsts = new ArrayList<>();
        carried.forEach(m -> firsts.add(new FirstMessage(m.id().bytes(), m.createdAt(), m.body())));
        if (text != null) {
            firsts.add(new FirstMessage(text.id().bytes(), text.sentAt(), text.body()));
        }
        checkFits(peerId, firsts);
        PendingHandshake pending = handshake.start(me, verified.peer(), now, advertised.get(), firsts);
        AuthRequest request = pending.request();
        byte[] requestId = request.requestId(domain());
        OptionalInt previous;
        try {
            previous = store.inTransactionReturning(tx -> {
                OptionalInt before = binding.beforeHandshake(tx, peerId, verified.keyIndex(), explicit);
                tx.savePendingHandshake(new dev.peerkey.store.PendingHandshake(requestId, HandshakeRole.INITIATOR,
                        me.id(), peerId, pending.ephemeralKey().privateKey(), now, now.plus(LIFETIME),
                        StoredRequest.encode(request)));
                binding.bind(tx, requestId, peerId, verified.keyIndex());
                tx.setContactStatus(me.id(), peerId, ContactStatus.CONTACT);
                if (!firsts.isEmpty() || alsoInTransaction != null) {
                    tx.saveSession(requestId, me.id(), peerId, SessionStatus.PENDING_OUTGOING, null, null);
                }
                carried.forEach(m -> tx.moveOutgoing(m.id(), requestId));
                if (text != null) {
                    tx.insertOutgoing(requestId, text.id(), MessageKind.TEXT, text.body(), new byte[0]);
                    tx.markSent(text.id(), Transport.CHAIN);
                }
                if (alsoInTransaction != null) {
                    alsoInTransaction.accept(tx, requestId);
                }
                return before;
            });
        } finally {
            pending.ephemeralKey().destroy();
        }
        TxResult tx;
        try {
            tx = contract.requestAuth(payer, request);
        } catch (PeerkeyException e) {
            if (!requestOnChain(requestId, e)) {
                store.inTransaction(t -> {
                    t.deletePendingHandshake(requestId);
                    if (text != null) {
                        t.markFailed(text.id(), "the request carrying it was not sent"); // the earlier ones ride on the next
                    }
                });
                throw e;
            }
            tx = null; // a copy of our signed request landed first: it is our request
        }
        return new Started(requestId, peerId, tx, verified.keyIndex(), previous);
    }

    /**
     * After our requestAuth failed: whether the request is on chain all the same. The request ID
     * is the digest of every signed field, so a request with this ID is exactly ours, whoever
     * submitted it. If the chain cannot tell, {@code failure} is thrown and the pending handshake
     * kept (it expires): a request that did land can then still be finished.
     */
    private boolean requestOnChain(byte[] requestId, PeerkeyException failure) {
        RequestStatus status;
        try {
            status = contract.requestStatus(requestId);
        } catch (PeerkeyException unknown) {
            failure.addSuppressed(unknown);
            throw failure;
        }
        return status != RequestStatus.NONE;
    }

    private static void checkFits(PeerId peer, List<FirstMessage> firsts) {
        // Room for the longest endpoint beside the messages.
        int room = Payload.MAX_LENGTH - 1 - 255 - Payload.lengthWith(List.of());
        int length = firsts.isEmpty() ? 0 : Payload.lengthWith(firsts) - Payload.lengthWith(List.of());
        if (firsts.size() > Payload.MAX_MESSAGES || length > room) {
            throw new MessagingException("a message request carries at most " + Payload.MAX_MESSAGES
                    + " messages in " + room + " bytes; " + firsts.size() + " message(s) of " + length
                    + " bytes wait for " + peer + " to accept: send a shorter one, or wait until " + peer
                    + " accepts");
        }
    }

    /**
     * Responder: answers a request addressed to us, unless this profile answered it already or it
     * is too old for the contract to take an answer.
     *
     * @param block the block the request was made in: where to look for an accept of it
     * @return whether this call answered it
     * @throws MessagingException if the request or its initiator is refused
     */
    boolean answer(AuthRequest request, long block) {
        return answer(request, block, null).isPresent();
    }

    /**
     * Responder: like {@link #answer(AuthRequest, long)}; the first messages the request carries are
     * stored as received on the new session, in the transaction that stores it, together with
     * {@code alsoInTransaction} (given the session ID), if not null.
     *
     * @return the accept transaction (with no hash when a copy of our signed accept landed first),
     *     or empty if this call did not answer
     */
    Optional<TxResult> answer(AuthRequest request, long block, BiConsumer<Tx, byte[]> alsoInTransaction) {
        byte[] requestId = request.requestId(domain());
        // A request answered elsewhere (or long ago) makes the accept revert; the session is then closed.
        if (!request.responder().equals(me.id()) || sessionExists(requestId) || !answerable(request)) {
            return Optional.empty();
        }
        PeerCheck.Verified verified;
        try {
            verified = peers.requireActive(request.initiator());
        } catch (PeerUnavailableException e) {
            throw new MessagingException("refused a handshake request: " + e.getMessage(), e);
        }
        Peer initiator = verified.peer();
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
                binding.bind(tx, requestId, initiator.id(), verified.keyIndex());
                tx.saveRoute(new SessionRoute(requestId, tags.inbox(), tags.outbox(), keys.initiatorConfirmation(),
                        ours == null ? null : ours.toString()));
                tx.setMailboxKey(requestId, mailboxKey);
                // Kept to submit again, unchanged, if a chain reorganisation drops it (see resubmitDropped).
                tx.saveSentAccept(requestId, StoredRequest.encode(request),
                        StoredRequest.encodeAccept(acceptance.accept()));
                receiveFirstMessages(tx, requestId, requestId, acceptance.messages());
                if (alsoInTransaction != null) {
                    alsoInTransaction.accept(tx, requestId);
                }
                return true;
            });
            if (!stored) {
                return Optional.empty();
            }
        } finally {
            keys.destroy();
        }
        try {
            return Optional.of(contract.acceptAuth(payer, request, acceptance.accept()));
        } catch (PeerkeyException e) {
            if (acceptedWithOurKey(request, acceptance.accept(), block, e)) {
                // A copy of our signed accept landed first: the session goes on.
                return Optional.of(new TxResult(null, 0, block));
            }
            close(requestId);
            throw new MessagingException("could not answer " + initiator.id() + "'s handshake: " + e.getMessage(), e);
        }
    }

    /** Whether the contract still takes an answer to {@code request}: it is not older than {@link #ANSWERABLE}. */
    boolean answerable(AuthRequest request) {
        return !request.signedAt().isBefore(clock.instant().minus(ANSWERABLE));
    }

    /**
     * Stores first messages carried by request {@code requestId} as received on session
     * {@code sessionId}; each message ID once, so a message carried again by a later request is
     * not shown twice. (Their "envelope" is request ID || message ID: the request carried them.)
     */
    static void receiveFirstMessages(Tx tx, byte[] sessionId, byte[] requestId, List<FirstMessage> messages) {
        for (FirstMessage m : messages) {
            byte[] marker = ByteBuffer.allocate(requestId.length + FirstMessage.ID_LENGTH).put(requestId).put(m.id())
                    .array();
            tx.insertIncoming(sessionId, MessageId.of(m.id()), m.text(), marker, Transport.CHAIN, m.sentAt());
        }
    }

    /**
     * After our acceptAuth failed: whether the request is accepted on chain by our own answer, that
     * is, an AuthAccepted event for it carries our ephemeral key (only our signed accept can).
     */
    private boolean acceptedWithOurKey(AuthRequest request, AuthAccept ours, long block, PeerkeyException failure) {
        try {
            return contract.requestStatus(ours.requestId()) == RequestStatus.ACCEPTED
                    && contract.acceptOf(request, block)
                            .filter(onChain -> MessageDigest.isEqual(onChain.ephemeralKey(), ours.ephemeralKey()))
                            .isPresent();
        } catch (PeerkeyException unknown) {
            failure.addSuppressed(unknown);
            return false;
        }
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
        // Checked afresh when the handshake started; the session is bound to the key that signs the answer.
        PeerCheck.Verified verified = peers.requireActiveRecently(row.peer());
        Peer responder = verified.peer();
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
                binding.bind(tx, requestId, responder.id(), verified.keyIndex());
                tx.saveRoute(new SessionRoute(requestId, tags.inbox(), tags.outbox(), null,
                        ours == null ? null : ours.toString()));
                tx.setMailboxKey(requestId, mailboxKey);
                tx.markCarriedDelivered(requestId); // the accept answers the request that carried them
                return Optional.of(tx.insertOutgoing(requestId, confirm.id(), MessageKind.CONFIRM, new byte[0],
                        envelope));
            });
        } finally {
            keys.destroy();
        }
    }

    /**
     * Submits again, unchanged, the handshake steps of ours that the chain no longer holds (a
     * reorganisation dropped them after they were mined): our requests still waiting for an
     * answer, if the chain has no such request; and our answers, if the chain holds the request
     * unanswered while our session still waits for the initiator's key confirmation. The same
     * signed step keeps its ID, so the peer sees nothing new: its own records of it still hold.
     * Only steps older than {@code settled} (a younger one may still be on its way) and still
     * fresh enough for the contract. Returns how many it submitted; a failure is a notice.
     */
    int resubmitDropped(Duration settled, Consumer<String> notices) {
        Instant now = clock.instant();
        Instant before = now.minus(settled);
        int submitted = 0;
        List<dev.peerkey.store.PendingHandshake> ours = store.inTransactionReturning(tx -> tx.pendingHandshakes())
                .stream().filter(h -> h.role() == HandshakeRole.INITIATOR && h.ourId().equals(me.id())
                        && h.expiresAt().isAfter(now) && h.createdAt().isBefore(before) && h.request() != null)
                .toList();
        for (dev.peerkey.store.PendingHandshake h : ours) {
            try {
                AuthRequest request = StoredRequest.decode(h.request());
                if (answerable(request) && contract.requestStatus(h.requestId()) == RequestStatus.NONE) {
                    contract.requestAuth(payer, request);
                    notices.accept("our handshake request to " + h.peer() + " is no longer on chain (a chain"
                            + " reorganisation dropped it): submitted it again");
                    submitted++;
                }
            } catch (PeerkeyException e) {
                notices.accept("could not submit our handshake request to " + h.peer() + " again: " + e.getMessage());
            }
        }
        List<SessionRecord> waiting = store.inTransactionReturning(tx -> tx.sessions()).stream()
                .filter(s -> s.status() == SessionStatus.PENDING_INCOMING && s.ourId().equals(me.id())
                        && s.createdAt().isBefore(before))
                .toList();
        for (SessionRecord s : waiting) {
            try {
                Optional<byte[][]> stored = store.inTransactionReturning(tx -> tx.sentAccept(s.sessionId()));
                if (stored.isEmpty()) {
                    continue; // answered before answers were kept
                }
                AuthRequest request = StoredRequest.decode(stored.get()[0]);
                AuthAccept accept = StoredRequest.decodeAccept(stored.get()[1]);
                if (answerable(request) && contract.requestStatus(s.sessionId()) == RequestStatus.PENDING) {
                    contract.acceptAuth(payer, request, accept);
                    notices.accept("our answer to " + s.peer() + "'s handshake is no longer on chain (a chain"
                            + " reorganisation dropped it): submitted it again");
                    submitted++;
                }
            } catch (PeerkeyException e) {
                notices.accept("could not submit our answer to " + s.peer() + "'s handshake again: " + e.getMessage());
            }
        }
        store.inTransaction(tx -> tx.deleteSentAcceptsBefore(now.minus(LIFETIME).minus(LIFETIME)));
        return submitted;
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
