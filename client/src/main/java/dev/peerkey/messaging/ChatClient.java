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
import dev.peerkey.store.Post;
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

    /**
     * How a message went out: its ID, the transport, the gas if it went on chain, why direct was
     * not used, and how many acknowledgements of the peer's messages its mailbox transaction carried.
     */
    public record Sent(Message message, Transport via, String txHash, Long gasUsed, String fallbackReason,
            boolean delivered, int acksCarried) { }

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

    /**
     * How long a running process (listen, chat, inbox --follow) holds an acknowledgement back so
     * that a reply of ours on the same session, posted meanwhile, carries it in its own
     * transaction instead of a transaction of its own ({@link #holdAcknowledgements}). Well under
     * the sender's resend timer: a sender running an older client resends what has no
     * acknowledgement {@link #RESEND_AFTER} (a minute) after posting it, and the acknowledgement
     * must be mined before that: 10 s of grace, plus a follower's poll (2 s on a real chain), plus a
     * block (12 s on Ethereum) leaves more than half the minute to spare. The sender's "delivered"
     * comes at most this much later than it would with an acknowledgement sent at once.
     */
    public static final Duration ACK_GRACE = Duration.ofSeconds(10);

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
    private final OwedAcks owed;
    private final MessengerContract contract;

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
        this.contract = contract;
        this.owed = new OwedAcks(store, me.id());
        this.outbound = new Outbound(store, inbound, poster, links, settings.ackTimeout(), owed, clock);
        this.handshakes = new Handshakes(store, me, identityAccount, contract, peers, keys, clock,
                settings.advertised());
        this.requests = new Requests(store, me, handshakes, peers, clock);
        this.follower = new MailboxFollower(store, me.id(), contract, handshakes, requests, inbound, outbound,
                settings.startBlock(), notices, clock, owed);
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
        return new Sent(queued.message(), d.via(), d.txHash(), d.gasUsed(), d.fallbackReason(), d.delivered(),
                d.acksCarried());
    }

    /**
     * Reads the mailbox once from the cursor to the head: answers, finishes, receives; then sends
     * the acknowledgements owed longer than the grace period ({@link #holdAcknowledgements}; with
     * none set, everything this pass read is acknowledged at its end).
     */
    public SyncReport sync() {
        SyncReport report = follower.pass();
        follower.acknowledgeOwed(false);
        return report;
    }

    /**
     * Holds acknowledgements back for up to {@code grace} after the mailbox pass that read their
     * messages, so that a message we post on the same session meanwhile (from this process or
     * another of the profile) carries them in its transaction. A running process uses
     * {@link #ACK_GRACE}; a command that sends and exits may hold them for its whole run, since
     * {@link #close} sends whatever is still owed. Zero (the default) acknowledges at the end of
     * each pass.
     */
    public void holdAcknowledgements(Duration grace) {
        owed.holdFor(grace);
    }

    /** Sends every acknowledgement still owed now, whatever the grace period (as {@link #close} does). */
    public void acknowledgeOwed() {
        follower.acknowledgeOwed(true);
    }

    /** How many acknowledgements this identity owes and has not sent (held back, waiting for a post to carry them). */
    public int owedAcknowledgements() {
        return owed.size();
    }

    /**
     * Delivers again, in the same envelope, every message this identity sent that the peer has
     * not acknowledged, when it is due: stored but never handed to a transport (the process died
     * right after storing it, or the node refused it for now), or sent directly or through the
     * mailbox without an acknowledgement. The peer drops copies it already has and acknowledges
     * them again.
     *
     * <p>A message whose last send was a mailbox post is checked on chain first ({@link
     * PostPresence}): if a reorganisation dropped the post, it is posted again at once; if the post
     * is still there, the recipient reads it whenever it next reads its mailbox, and a copy is only
     * a backstop, on the slower schedule of {@link #backstopDue}. Any other unacknowledged message
     * is resent {@link #RESEND_AFTER} after it was stored or last sent, then at growing intervals
     * ({@link #resendDue}). One message that fails does not stop the others: a permanent refusal
     * marks it failed (never retried), a passing failure leaves it queued; each is reported as a
     * notice. Returns how many went out.
     */
    public int resendQueued() {
        Instant now = clock.instant();
        // Only on established sessions: messages riding on a request are delivered by its answer.
        List<Message> waiting = store.inTransactionReturning(tx -> tx.undelivered(me.id(), 1000).stream()
                .filter(m -> m.envelope().length > 0)
                .filter(m -> tx.sessionById(m.sessionId()).filter(s -> s.status() == SessionStatus.ESTABLISHED)
                        .isPresent())
                .toList());
        PostPresence presence = new PostPresence(contract.chain());
        try {
            presence.ask(waiting.stream().map(this::post).flatMap(Optional::stream).toList());
        } catch (PeerkeyException e) {
            // Asked again one post at a time below, where a failure holds back only that message.
        }
        int sent = 0;
        for (Message m : waiting) {
            try {
                if (!due(m, now, presence)) {
                    continue;
                }
                outbound.deliver(m, null);
                sent++;
            } catch (PeerkeyException e) {
                notices.accept("could not resend message " + m.id() + ": " + e.getMessage());
            }
        }
        return sent;
    }

    /** The mailbox post of {@code m}, if it was sent through the mailbox and its post recorded. */
    private Optional<Post> post(Message m) {
        return m.status() == MessageStatus.SENT && m.transport() == Transport.CHAIN
                ? store.inTransactionReturning(tx -> tx.post(m.id())) : Optional.empty();
    }

    /** Whether unacknowledged message {@code m} goes out again now; asks the chain about its post if it has one. */
    private boolean due(Message m, Instant now, PostPresence presence) {
        Optional<Post> post = post(m);
        if (post.isEmpty()) {
            return resendDue(m, now); // queued, sent directly, or posted by a client that did not record posts
        }
        if (backstopDue(m, now)) {
            return true;
        }
        PostPresence.Where where = presence.of(post.get());
        switch (where.state()) {
            case GONE -> {
                notices.accept("the post of message " + m.id() + " is no longer on chain (a reorganisation"
                        + " dropped it): posting it again");
                return true;
            }
            case ON_CHAIN -> {
                if (where.block() != null && where.block() != post.get().block()) { // moved by a reorganisation
                    store.inTransaction(tx -> tx.recordPost(m.id(), new Post(post.get().txHash(), where.block())));
                }
                return false;
            }
            default -> {
                return false; // back in the node's pool: it will be mined
            }
        }
    }

    /** The longest wait between two sends of a message that is not acknowledged. */
    public static final Duration MAX_RESEND_INTERVAL = Duration.ofDays(1);
    /**
     * The first backstop resend of a message whose mailbox post is still on chain, counted from the
     * post. Such a post reaches the recipient whenever it next reads its mailbox, so a copy helps
     * only if the recipient read it and its acknowledgement was lost (dropped by a reorganisation
     * too, or not paid for): rare, and what it costs is that the message shows "sent" for longer.
     * If the recipient is offline, a copy helps nothing: it reads the original when it is back.
     * Ten minutes is far beyond how long an online recipient takes to acknowledge (a poll, the
     * {@link #ACK_GRACE}, a block), and ten times the {@link #RESEND_AFTER} used when nothing is
     * known about the post; after it, intervals grow as in {@link #resendDue}, so a recipient
     * offline for a day costs 8 copies of each message instead of 11, one offline for a week 14
     * instead of 17.
     */
    public static final Duration BACKSTOP_AFTER = Duration.ofMinutes(10);
    /** How often a running process looks for messages to resend and handshake steps to submit again. */
    static final Duration RESEND_CHECK = Duration.ofSeconds(15);

    /** Whether unacknowledged message {@code m}, its post unknown or not on chain, is due for a (re)send at {@code now}. */
    static boolean resendDue(Message m, Instant now) {
        return due(m, now, RESEND_AFTER);
    }

    /**
     * Whether unacknowledged message {@code m}, whose mailbox post is still on chain, is due for a
     * backstop resend at {@code now}: {@link #BACKSTOP_AFTER} after its last send, then at intervals
     * as long as it had been waiting, at most {@link #MAX_RESEND_INTERVAL}.
     */
    static boolean backstopDue(Message m, Instant now) {
        return due(m, now, BACKSTOP_AFTER);
    }

    private static boolean due(Message m, Instant now, Duration first) {
        Instant last = m.sentAt() != null && m.status() != MessageStatus.QUEUED ? m.sentAt() : m.createdAt();
        Duration waited = Duration.between(m.createdAt(), last);
        Duration interval = waited.compareTo(first) < 0 ? first
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

    /**
     * Sends the acknowledgements still owed, if this client was holding them back ({@link
     * #holdAcknowledgements}; one that was not sent its own at the end of each pass, and leaves a
     * running listener's alone), then closes.
     */
    @Override
    public void close() {
        try {
            if (!owed.grace().isZero() && owed.size() > 0) {
                acknowledgeOwed();
            }
        } catch (RuntimeException e) {
            notices.accept("could not send the acknowledgements still owed: " + e.getMessage());
        } finally {
            links.close();
        }
    }
}
