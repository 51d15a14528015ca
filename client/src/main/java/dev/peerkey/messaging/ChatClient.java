package dev.peerkey.messaging;

import dev.peerkey.PeerkeyException;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import dev.peerkey.store.HandshakeRole;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageRequest;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.Frame;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * One identity's chat client over one profile's store: authenticates peers, sends and
 * receives, and serves direct connections. Safe to use from several threads; several
 * processes may share the store (each step is one transaction, and handshake steps are
 * idempotent), but only one should follow the mailbox at a time (see {@link SyncLock}).
 */
public final class ChatClient implements AutoCloseable {
    /**
     * @param ackTimeout how long a direct send waits for the peer's acknowledgement before the mailbox
     * @param connectTimeout how long connecting to a peer's endpoint may take
     * @param startBlock the first block to read when this identity has never followed the mailbox
     * @param advertised this side's direct endpoint to tell peers, or a supplier of null
     */
    public record Settings(Duration ackTimeout, Duration connectTimeout, long startBlock,
            Supplier<Endpoint> advertised) {
        public Settings {
            Objects.requireNonNull(ackTimeout, "ackTimeout");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(advertised, "advertised");
        }
    }

    /** How a message went out: its ID, the transport, the gas if it went on chain, and why direct was not used. */
    public record Sent(Message message, Transport via, String txHash, Long gasUsed, String fallbackReason,
            boolean delivered) { }

    /**
     * A handshake request of ours on chain.
     *
     * @param tx our transaction, or null if another account submitted a copy of our signed request
     *     first (it is our request all the same)
     * @param keyIndex the number of the peer's registry key the handshake is made with
     * @param previousKey the peer's key number accepted before this handshake, if it was another:
     *     the key change to show the user
     */
    public record AuthStarted(byte[] requestId, PeerId peer, TxResult tx, int keyIndex, OptionalInt previousKey) { }

    /**
     * What one mailbox pass did.
     *
     * @param requests the senders of message requests it stored (strangers' handshakes waiting for consent)
     */
    public record SyncReport(long toBlock, int stored, int answered, int finished, List<String> refused,
            List<PeerId> requests) { }

    /**
     * A chat message sent inside a handshake request (no session yet): it is read when the peer
     * accepts. {@code carried} counts the messages the request carries, this one included.
     */
    public record RequestSent(Message message, byte[] requestId, TxResult tx, int carried) { }

    /**
     * An accepted message request: answered ({@code restarted} false), or — too old for the
     * contract to take an answer — a new handshake of ours sent instead ({@code restarted} true).
     * {@code sessionId} is the session that starts; {@code messages} the first messages stored as received.
     */
    public record Accepted(PeerId peer, byte[] sessionId, TxResult tx, boolean restarted, int messages) { }

    /** How old an unsent or unacknowledged message must be before {@link #resendQueued} sends it again. */
    public static final Duration RESEND_AFTER = Duration.ofMinutes(1);

    private final Store store;
    private final LocalIdentity me;
    private final Clock clock;
    private final Inbound inbound;
    private final DirectAnswers answers;
    private final Outbound outbound;
    private final Handshakes handshakes;
    private final Requests requests;
    private final MailboxFollower follower;
    private final PeerCheck peers;
    private final KeyBinding keys;
    private final DirectLinks links;
    private final Consumer<String> notices;

    /**
     * @param mailboxAccount the account that sends and pays for every mailbox post (messages,
     *     acknowledgements, key confirmations, endpoint updates): the profile's, not the identity's,
     *     so posts do not name their sender. Asked for once, on the first post. Handshake steps are
     *     still submitted by the identity's own account (they name both identities anyway).
     */
    public ChatClient(Store store, LocalIdentity me, Supplier<Credentials> mailboxAccount, Registry registry,
            MessengerContract contract, Clock clock, Settings settings, Consumer<String> notices) {
        this.store = store;
        this.me = me;
        this.clock = clock;
        this.notices = notices;
        Credentials identityAccount = me.key().credentials();
        this.peers = new PeerCheck(registry, clock);
        this.keys = new KeyBinding(store, me.id(), peers);
        this.links = new DirectLinks(settings.connectTimeout());
        this.inbound = new Inbound(store, keys::requireCurrent, clock);
        this.answers = new DirectAnswers(inbound, notices);
        MailboxPoster poster = new MailboxPoster(store, contract, mailboxAccount, clock);
        this.outbound = new Outbound(store, inbound, poster, links, settings.ackTimeout());
        this.handshakes = new Handshakes(store, me, identityAccount, contract, peers, keys, clock,
                settings.advertised());
        this.requests = new Requests(store, me, handshakes, peers, clock);
        this.follower = new MailboxFollower(store, me.id(), contract, handshakes, requests, inbound, outbound,
                settings.startBlock(), notices, clock);
    }

    public PeerId id() {
        return me.id();
    }

    /**
     * Starts a handshake with {@code peer} because the user asked for it: checks it is active,
     * accepts its current registry key (the result tells if that is a change), stores the pending
     * state and submits the request.
     * {@code peer} becomes a contact (its own requests are answered automatically).
     */
    public AuthStarted startAuth(PeerId peer) {
        return started(handshakes.start(peer, true));
    }

    /**
     * Starts a handshake with {@code peer} that the user did not ask for (a send without a
     * session): like {@link #startAuth}, but refused if the peer's key is not the one accepted.
     *
     * @throws KeyChangedException if the peer's key changed since the user last accepted it
     */
    public AuthStarted startAuthIfKeyUnchanged(PeerId peer) {
        return started(handshakes.start(peer, false));
    }

    private static AuthStarted started(Handshakes.Started s) {
        return new AuthStarted(s.requestId(), s.peer(), s.tx(), s.keyIndex(), s.previousKey());
    }

    /**
     * Checks that a message to {@code peer} could go out now, closing its session if the peer's
     * key changed (or it is no longer active).
     *
     * @throws KeyChangedException if the peer's key is not the session's or not the one the user accepted
     * @throws MessagingException if there is no session or the peer is no longer active
     */
    public void checkSendable(PeerId peer) {
        int current = keys.checkBeforeSending(peer).keyIndex();
        store.inTransactionReturning(tx -> keys.sendable(tx, peer, current));
    }

    /**
     * One sentence per peer that opened a session with a registry key the user has not accepted
     * (the peer rotated, or someone holding its new key authenticated as it): nothing is sent on
     * such a session until the user runs {@code peerkey auth}.
     */
    public List<String> keyChanges() {
        return keys.unacceptedChanges();
    }

    /**
     * Sends {@code text} to {@code peer}, with which there is no session, inside a new handshake
     * request, sealed to its registered key together with every earlier message still waiting for
     * {@code peer} to accept. The peer sees them as a message request; once it accepts, they count
     * as delivered and the session continues under the ratchet.
     *
     * @throws MessagingException if the waiting messages do not fit in one request
     */
    public RequestSent sendInRequest(PeerId peer, String text) {
        Packet packet = Packet.text(text, clock.instant());
        Handshakes.Started started = handshakes.start(peer, false, packet, null);
        Message message = store.inTransactionReturning(tx -> tx.message(packet.id())).orElseThrow();
        int carried = store.inTransactionReturning(tx -> tx.carriedMessages(me.id(), peer)).size();
        return new RequestSent(message, started.requestId(), started.tx(), carried);
    }

    /** Every first message of these requests, each message ID once, oldest request first. */
    public static List<dev.peerkey.store.RequestMessage> distinctMessages(List<MessageRequest> requests) {
        return Requests.distinct(requests);
    }

    /** The message requests waiting for this identity's consent, oldest first. */
    public List<MessageRequest> requests() {
        return requests.list();
    }

    /**
     * Accepts {@code peer}'s message requests: it becomes a contact, their first messages are
     * stored as received, and the newest request is answered (or, too old, a new handshake of
     * ours is sent instead).
     *
     * @throws MessagingException if there is no request from {@code peer}
     */
    public Accepted accept(PeerId peer) {
        Requests.Accepted a = requests.accept(peer);
        return new Accepted(a.peer(), a.sessionId(), a.tx(), a.restarted(), a.messages());
    }

    /** Drops {@code peer}'s message requests without answering (no transaction); returns how many. */
    public int decline(PeerId peer) {
        return requests.decline(peer);
    }

    /** Blocks {@code peer}: its requests and envelopes are ignored silently from now on. Returns the requests dropped. */
    public int block(PeerId peer) {
        return requests.block(peer);
    }

    /** Lifts a block. */
    public void unblock(PeerId peer) {
        requests.unblock(peer);
    }

    /** The identities this one blocked. */
    public List<PeerId> blocked() {
        return requests.blocked();
    }

    /** Whether we answered a handshake of {@code peer}'s that still waits for its key confirmation. */
    public boolean awaitingConfirmationFrom(PeerId peer) {
        return store.inTransactionReturning(tx -> tx.sessions().stream().anyMatch(s -> s.peer().equals(peer)
                && s.ourId().equals(me.id()) && s.status() == SessionStatus.PENDING_INCOMING));
    }

    /** This identity's established session with {@code peer}, if any (never another identity's of the profile). */
    public Optional<SessionRecord> session(PeerId peer) {
        return store.inTransactionReturning(tx -> tx.session(me.id(), peer));
    }

    /** A session of this profile by its ID (the handshake's request ID), whatever its status. */
    public Optional<SessionRecord> sessionById(byte[] sessionId) {
        return store.inTransactionReturning(tx -> tx.sessionById(sessionId));
    }

    /** When the newest handshake we started with {@code peer} that still waits for its answer began, if any. */
    public Optional<Instant> awaitingAnswerSince(PeerId peer) {
        Instant now = clock.instant();
        return store.inTransactionReturning(tx -> tx.pendingHandshakes().stream()
                .filter(h -> h.peer().equals(peer) && h.ourId().equals(me.id()) && h.expiresAt().isAfter(now))
                .map(h -> h.createdAt()).max(Instant::compareTo));
    }

    /** Whether a handshake this identity started with {@code peer} is still waiting for its answer. */
    public boolean awaitingAnswerFrom(PeerId peer) {
        return store.inTransactionReturning(tx -> tx.pendingHandshakes().stream()
                .anyMatch(h -> h.role() == HandshakeRole.INITIATOR && h.ourId().equals(me.id()) && h.peer().equals(peer)
                        && h.expiresAt().isAfter(clock.instant())));
    }

    /**
     * Checks that our own identity may still send: call it before anything that could encrypt or
     * pay on the way to a send. {@link #send} checks again.
     *
     * @throws MessagingException if our identity is revoked, expired or not registered
     */
    public void requireCanSend() {
        peers.requireSelfActive(me.id());
    }

    /**
     * Refuses, before any session or handshake, a text that no route could carry with {@code via}
     * (see {@link RouteCapacity}): the error names the limit.
     *
     * @throws MessagingException if the text is too large
     */
    public void requireSendable(String text, Transport via) {
        RouteCapacity.requireCarried(Packet.text(text, clock.instant()), via);
    }

    /**
     * Encrypts, stores and delivers one text message on this identity's session with {@code peer}.
     *
     * @param via the transport to use, or null for direct when the peer gave an endpoint, else the mailbox
     * @return the message as queued (its delivery status is in {@link Sent#delivered()})
     * @throws MessagingException if our own identity or the peer's is no longer active (checked before
     *     anything is encrypted or paid), there is no established session, no route can carry the
     *     text (then nothing is stored), or the peer refused the message (it is then marked failed
     *     and not sent through the mailbox)
     * @throws KeyChangedException if the peer's key is not the one the session was made with (the
     *     session is then closed) or not the one the user accepted
     */
    public Sent send(PeerId peer, String text, Transport via) {
        peers.requireSelfActive(me.id());
        Packet packet = Packet.text(text, clock.instant());
        RouteCapacity.requireCarried(packet, via);
        int current = keys.checkBeforeSending(peer).keyIndex();
        Outbound.Queued queued = outbound.queue(tx -> {
            SessionRecord session = keys.sendable(tx, peer, current);
            RouteCapacity.requireCarried(packet, via, session);
            return session;
        }, packet, MessageKind.TEXT, packet.body());
        Outbound.Delivery d = outbound.deliver(queued, via);
        return new Sent(queued.message(), d.via(), d.txHash(), d.gasUsed(), d.fallbackReason(), d.delivered());
    }

    /** Reads the mailbox once from the cursor to the head: answers, finishes, receives, acknowledges. */
    public SyncReport sync() {
        return follower.pass();
    }

    /**
     * Delivers again, in the same envelope, every message this identity sent that the peer has
     * not acknowledged: stored but never handed to a transport (the process died right after
     * storing it, or the node refused it for now), or sent directly or through the mailbox without
     * an acknowledgement (the post or the acknowledgement may have been dropped by a chain
     * reorganisation, or the acknowledgement could not be paid for). The peer drops copies it
     * already has and acknowledges them again. A message is resent {@link #RESEND_AFTER} after it
     * was stored or last sent, then at growing intervals (each as long as the message had been
     * waiting at its last send, at most {@link #MAX_RESEND_INTERVAL}), so a peer that is offline
     * for long costs a few posts, not one a minute. One message that fails does not stop the
     * others: a permanent refusal marks it failed (never retried), a passing failure leaves it
     * queued; each is reported as a notice. Returns how many went out.
     */
    public int resendQueued() {
        Instant now = clock.instant();
        // Only on established sessions: messages riding on a request are delivered by its answer.
        List<Message> due = store.inTransactionReturning(tx -> tx.undelivered(me.id(), 1000).stream()
                .filter(m -> m.envelope().length > 0 && resendDue(m, now))
                .filter(m -> tx.sessionById(m.sessionId()).filter(s -> s.status() == SessionStatus.ESTABLISHED)
                        .isPresent())
                .toList());
        int sent = 0;
        for (Message m : due) {
            try {
                outbound.deliver(m, null);
                sent++;
            } catch (PeerkeyException e) {
                notices.accept("could not resend message " + m.id() + ": " + e.getMessage());
            }
        }
        return sent;
    }

    /** The longest wait between two sends of a message that is not acknowledged. */
    public static final Duration MAX_RESEND_INTERVAL = Duration.ofDays(1);
    /** How often a running process looks for messages to resend and handshake steps to submit again. */
    static final Duration RESEND_CHECK = Duration.ofSeconds(15);

    /** Whether unacknowledged message {@code m} is due for a (re)send at {@code now}. */
    static boolean resendDue(Message m, Instant now) {
        Instant last = m.sentAt() != null && m.status() != MessageStatus.QUEUED ? m.sentAt() : m.createdAt();
        Duration waited = Duration.between(m.createdAt(), last);
        Duration interval = waited.compareTo(RESEND_AFTER) < 0 ? RESEND_AFTER
                : waited.compareTo(MAX_RESEND_INTERVAL) > 0 ? MAX_RESEND_INTERVAL : waited;
        return !last.plus(interval).isAfter(now);
    }

    private Instant nextResendCheck = Instant.MIN;

    /**
     * What a running process (listen, chat, inbox --follow) does besides reading the mailbox, at
     * most every {@link #RESEND_CHECK}: submits handshake steps a reorganisation dropped, finishes
     * handshakes whose answer was missed, and resends unacknowledged messages ({@link #resendQueued}).
     */
    public synchronized void resendIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextResendCheck)) {
            return;
        }
        nextResendCheck = now.plus(RESEND_CHECK);
        recoverHandshakes();
        int resent = resendQueued();
        if (resent > 0) {
            notices.accept("resent " + resent + " message(s) that have no acknowledgement yet");
        }
    }

    /**
     * Finishes our pending handshakes whose answer is on chain but was missed or refused when it
     * came by (a node that lied at the time, say). Returns how many it finished.
     */
    public int recoverHandshakes() {
        return follower.recoverHandshakes();
    }

    /** Tells every established session's peer our new direct endpoint, where it differs from what they know. */
    public int advertise(Endpoint endpoint) {
        String text = endpoint.toString();
        List<SessionRecord> stale = store.inTransactionReturning(tx -> {
            List<SessionRecord> out = new ArrayList<>();
            for (SessionRecord s : tx.sessions()) {
                if (s.status() == SessionStatus.ESTABLISHED && s.ourId().equals(me.id()) && keys.accepted(tx, s)
                        && tx.route(s.sessionId()).filter(r -> !text.equals(r.advertised())).isPresent()) {
                    out.add(s);
                }
            }
            return out;
        });
        for (SessionRecord s : stale) {
            Packet packet = Packet.endpoint(text, clock.instant());
            Outbound.Queued queued = outbound.queue(tx -> tx.sessionById(s.sessionId()).orElseThrow(), packet,
                    MessageKind.ENDPOINT, packet.body());
            store.inTransaction(tx -> tx.setAdvertised(s.sessionId(), text));
            try {
                outbound.deliver(queued, null);
            } catch (RuntimeException e) {
                notices.accept("could not tell " + s.peer() + " our endpoint yet: " + e.getMessage());
            }
        }
        return stale.size();
    }

    /**
     * Serves one frame from a direct connection: the envelope is received like a mailbox one and
     * acknowledged on the same connection (a copy gets the very acknowledgement the first one
     * got); a refusal goes back as the refusal that says nothing, unless the envelope proved the
     * session (see {@link DirectAnswers}).
     */
    public List<Frame> handleFrame(Frame frame) {
        return answers.answer(frame);
    }

    @Override
    public void close() {
        links.close();
    }
}
