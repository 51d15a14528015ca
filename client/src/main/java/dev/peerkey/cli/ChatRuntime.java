package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.ChainException;
import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.messaging.SyncLock;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * What the chat commands share: the profile's store, the speaking identity's chat client (the
 * identity given with --id, else the profile's default; never another of the profile's), and
 * waiting with progress. Mailbox passes run only when no other process of the profile follows
 * this identity's mailbox (a `listen`); otherwise that process does the work and this one reads
 * the store.
 */
final class ChatRuntime implements AutoCloseable {
    /** The environment variable with a test's clock offset (see {@link #clock()}). */
    static final String TEST_CLOCK_OFFSET = "PEERKEY_TEST_CLOCK_OFFSET";

    /**
     * The grace period of a command that sends and exits: it holds the acknowledgements it owes
     * for its whole run (a message it posts carries those owed to its peer), and closing its chat
     * client sends the rest.
     */
    static final Duration UNTIL_EXIT = Duration.ofDays(1);

    final Context ctx;
    final Store store;
    final ChatClient client;
    /** How long a follower waits between passes; asked of the node only by commands that poll. */
    private final Supplier<Duration> poll;
    /** Where the chat client's warnings go: standard error, or the chat screen while it runs. */
    private final AtomicReference<Consumer<String>> notices;

    private ChatRuntime(Context ctx, Store store, ChatClient client, Supplier<Duration> poll,
            AtomicReference<Consumer<String>> notices) {
        this.ctx = ctx;
        this.store = store;
        this.client = client;
        this.poll = poll;
        this.notices = notices;
    }

    /** Sends the chat client's warnings to {@code sink} (the chat screen prints them above its input line). */
    void routeNotices(Consumer<String> sink) {
        notices.set(sink);
    }

    /**
     * @param advertised the endpoint to tell peers; null means "the one this profile's running listener advertises"
     */
    static ChatRuntime open(Context ctx, ChatOptions options, Supplier<Endpoint> advertised) {
        PeerId id = speaker(ctx, options);
        ctx.keySync().reconcile(id);
        LocalIdentity me = LocalIdentity.of(id, ctx.currentKey(id));
        ctx.fundIfDevChain(me.key().address());
        // The store records times by the same clock (a test's moved clock too), so that "a minute
        // after it was sent" means the same to the resend timer whoever recorded the send.
        Clock clock = clock();
        Store store = Store.open(ctx.options.home.resolve(Store.FILE_NAME), ctx.storeKey(), clock);
        // Decrypted (or made) only when the first post goes out: many commands never post.
        Supplier<Credentials> mailboxAccount = () -> MailboxAccount.forCommand(ctx, id).credentials();
        Supplier<Endpoint> endpoint = advertised != null ? advertised
                : () -> ListenerFile.running(ctx.options.home, ctx.storeKey()).orElse(null);
        ChatClient.Settings settings = new ChatClient.Settings(options.ackTimeout, Duration.ofSeconds(2),
                ctx.messengerBlock(), endpoint);
        AtomicReference<Consumer<String>> notices = new AtomicReference<>(ctx.out::progress);
        ChatClient client = new ChatClient(store, me, mailboxAccount, ctx.registry(), ctx.messenger(), clock, settings,
                notice -> notices.get().accept("warning: " + notice));
        Supplier<Duration> poll = () -> options.poll != null ? options.poll
                : ctx.chain().isDevChain() ? Duration.ofMillis(25) : Duration.ofSeconds(2);
        return new ChatRuntime(ctx, store, client, poll, notices);
    }

    /**
     * The system clock, or for tests only, the system clock moved by {@value #TEST_CLOCK_OFFSET}
     * (an ISO-8601 duration such as {@code P1D}): how the tests simulate the next day for the
     * mailbox tags, which change daily.
     */
    private static Clock clock() {
        String offset = System.getenv(TEST_CLOCK_OFFSET);
        if (offset == null || offset.isBlank()) {
            return Clock.systemUTC();
        }
        try {
            return Clock.offset(Clock.systemUTC(), Duration.parse(offset));
        } catch (DateTimeParseException e) {
            throw new PeerkeyException(TEST_CLOCK_OFFSET + " is not an ISO-8601 duration: " + offset);
        }
    }

    /** The identity a chat command acts for: --id, else the profile's default. */
    static PeerId speaker(Context ctx, ChatOptions options) {
        return ctx.profile().identity(options.identity);
    }

    /**
     * The peer named by {@code selector}; never one of this profile's own identities, since one
     * store cannot hold both ends of a session.
     */
    PeerId peer(String selector) {
        PeerId peer = contacts().resolve(ctx, selector);
        if (!peer.equals(client.id()) && ctx.profile().identities().contains(peer)) {
            throw new PeerkeyException(peer + " is another identity of this profile: a profile cannot"
                    + " hold both ends of a session; talk to it from another profile (--home)");
        }
        return peer;
    }

    /** Prints messages, naming our identity in each line when the profile has several. */
    MessagePrinter printer() {
        Contacts contacts = contacts();
        return new MessagePrinter(ctx.options.json, ctx.profile().identities().size() > 1, contacts::label,
                peer -> contacts.of(peer).map(c -> c.name()).orElse(null));
    }

    /** The profile's named contacts, as stored now. */
    Contacts contacts() {
        return Contacts.of(store);
    }

    /** Before anything goes to {@code peer}: a warning if the user verified it with a key it no longer has. */
    void warnIfVerificationLapsed(PeerId peer) {
        Contacts contacts = contacts();
        if (contacts.of(peer).flatMap(c -> c.verifiedKey()).isPresent()) {
            ctx.registry().lookup(peer).flatMap(current -> contacts.verificationLapsed(peer, current))
                    .ifPresent(warning -> ctx.out.progress("warning: " + warning));
        }
    }

    /**
     * Like {@link #syncIfFree}, and first recovers what an earlier run left behind: handshakes
     * whose answer was missed, messages stored but not sent. Once per command, not per poll.
     */
    boolean catchUpIfFree() {
        return readMailboxIfFree(true);
    }

    /** Reads this identity's mailbox once, unless another process of this profile follows it; true if it did. */
    boolean syncIfFree() {
        return readMailboxIfFree(false);
    }

    private boolean readMailboxIfFree(boolean recover) {
        Optional<SyncLock> lock = SyncLock.mailbox(ctx.options.home, client.id());
        if (lock.isEmpty()) {
            return false;
        }
        try (SyncLock held = lock.get()) {
            if (recover) {
                client.resendIfDue(); // the first call of a process always runs
            }
            client.sync();
            client.resendIfDue(); // a long-running chat or inbox --follow resends too
            return true;
        }
    }

    /**
     * One pass of a follower (inbox --follow, chat's incoming messages): reads the mailbox unless
     * another process follows it; a failing node is reported once through {@code backoff} and
     * waited out (its Retry-After, else exponential backoff) instead of ending the command.
     */
    void followOnce(FollowerBackoff backoff) {
        try {
            syncIfFree();
            backoff.succeeded();
        } catch (ChainException e) {
            FollowerBackoff.sleep(backoff.failed(e));
        }
    }

    /** Waits (reading the mailbox) until the session with this request ID is established, or the timeout. */
    Optional<SessionRecord> awaitSession(byte[] sessionId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            syncIfFree();
            Optional<SessionRecord> session = client.sessionById(sessionId)
                    .filter(s -> s.status() == SessionStatus.ESTABLISHED);
            if (session.isPresent() || System.nanoTime() > deadline) {
                return session;
            }
            sleep();
        }
    }

    /** Waits until the peer acknowledged the session's key confirmation, or the deadline; true if it did. */
    boolean awaitConfirmed(byte[] sessionId, long deadlineNanos) {
        while (true) {
            boolean confirmed = store.inTransactionReturning(tx -> tx.messages(
                    tx.sessionById(sessionId).orElseThrow().peer(), 1000).stream()
                    .anyMatch(m -> m.kind() == MessageKind.CONFIRM && m.status() == MessageStatus.DELIVERED
                            && java.util.Arrays.equals(m.sessionId(), sessionId)));
            if (confirmed || System.nanoTime() > deadlineNanos) {
                return confirmed;
            }
            syncIfFree();
            sleep();
        }
    }

    /**
     * The established session with {@code peer}, or one that a handshake under way completes in
     * time: ours waiting for its answer (until {@code timeout} after it was sent), or the peer's,
     * which we answered, waiting for its key confirmation (up to {@code timeout}). Empty if there
     * is none: the caller then sends a message request.
     */
    Optional<SessionRecord> sessionOrWait(PeerId peer, Duration timeout) {
        Optional<SessionRecord> current = client.session(peer);
        if (current.isPresent()) {
            client.checkSendable(peer); // a session made with a key of the peer that changed, or not accepted
            return current;
        }
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        Optional<java.time.Instant> since = client.awaitingAnswerSince(peer);
        String name = peer.displayName().value();
        if (since.isPresent()) {
            Duration left = Duration.between(java.time.Instant.now(), since.get().plus(timeout));
            deadline = now + Math.max(0, left.toNanos());
            ctx.out.progress("waiting for " + name + " to answer our handshake…");
        } else if (client.awaitingConfirmationFrom(peer)) {
            ctx.out.progress("waiting for " + name + " to confirm the session we accepted…");
        } else {
            return Optional.empty();
        }
        while (true) {
            syncIfFree();
            current = client.session(peer);
            if (current.isPresent()) {
                client.checkSendable(peer);
                return current;
            }
            if (System.nanoTime() > deadline) {
                return current;
            }
            sleep();
        }
    }

    /** Waits (reading the mailbox) until the peer accepted the request carrying message {@code id}, or the timeout. */
    boolean awaitDelivered(MessageId id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            syncIfFree();
            boolean delivered = store.inTransactionReturning(tx -> tx.message(id))
                    .filter(m -> m.status() == MessageStatus.DELIVERED).isPresent();
            if (delivered || System.nanoTime() > deadline) {
                return delivered;
            }
            sleep();
        }
    }

    /** Messages stored after local sequence number {@code seq}, chat text only. */
    List<Message> textAfter(long seq) {
        return store.inTransactionReturning(tx -> tx.messagesAfter(seq, 10_000)).stream()
                .filter(m -> m.kind() == MessageKind.TEXT).toList();
    }

    long lastSeq() {
        return store.inTransactionReturning(tx -> tx.lastMessageSeq());
    }

    void sleep() {
        try {
            Thread.sleep(poll.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.peerkey.PeerkeyException("interrupted");
        }
    }

    @Override
    public void close() {
        client.close();
        store.close();
    }
}
