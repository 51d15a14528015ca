package dev.peerkey.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import dev.peerkey.identity.PeerId;

/**
 * One open transaction, handed to the work passed to {@link Store#inTransaction} or
 * {@link Store#inTransactionReturning}. Everything done through it is committed together when
 * the work returns, or not at all when it throws. All rows written in one transaction carry
 * the same timestamp (taken when it began). A Tx is valid only inside the call that handed it
 * out and only on that thread.
 */
public final class Tx {
    /** How long a superseded session still receives. */
    public static final java.time.Duration CLOSED_SESSION_GRACE = java.time.Duration.ofMinutes(10);

    private final Sql sql;
    private final long now;
    private final Thread owner = Thread.currentThread();
    private boolean ended;

    Tx(Sql sql, long now) {
        this.sql = sql;
        this.now = now;
    }

    // ---- sessions ----

    /**
     * Inserts or updates a session and returns it as stored. An existing session keeps its
     * creation time and must belong to the same pair of identities. Saving a session as
     * ESTABLISHED closes the pair's other established session, unless that one was created
     * later: the newest wins, and this one is then stored as CLOSED.
     *
     * @param state the serialized ratchet; may be null only for a pending session; a REVOKED
     *     session's state is not kept (nothing may be decrypted or sent on it again)
     * @param endpoint the peer's direct-connection endpoint, or null
     */
    public SessionRecord saveSession(byte[] sessionId, PeerId ourId, PeerId peer, SessionStatus status,
            byte[] state, String endpoint) {
        check();
        byte[] id = Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID");
        Objects.requireNonNull(ourId, "ourId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(status, "status");
        if (state == null && status == SessionStatus.ESTABLISHED) {
            throw new IllegalArgumentException("an established session needs its ratchet state");
        }
        return SessionTable.save(sql, now, id, ourId, peer, status, state, endpoint);
    }

    /** Replaces a session's ratchet state: the step to take after every encrypt and decrypt. */
    public void saveState(byte[] sessionId, byte[] state) {
        check();
        SessionTable.saveState(sql, now, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"),
                Bytes.copy(state, "state"));
    }

    /**
     * The established session between our identity {@code ourId} and {@code peer}, if there is
     * one. A profile may hold several identities, each with its own session with the same peer:
     * a session is always chosen by both.
     */
    public Optional<SessionRecord> session(PeerId ourId, PeerId peer) {
        check();
        return SessionTable.established(sql, Objects.requireNonNull(ourId, "ourId"),
                Objects.requireNonNull(peer, "peer"));
    }

    /** Any session by its ID, whatever its status (a late message may arrive on a closed one). */
    public Optional<SessionRecord> sessionById(byte[] sessionId) {
        check();
        return SessionTable.byId(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    /** All sessions, newest first. */
    public List<SessionRecord> sessions() {
        check();
        return SessionTable.all(sql);
    }

    /** Routes a session (it must exist); refuses to replace a route or reuse an inbox tag. */
    public void saveRoute(SessionRoute route) {
        check();
        RouteTable.insert(sql, Objects.requireNonNull(route, "route"));
    }

    public Optional<SessionRoute> route(byte[] sessionId) {
        check();
        return RouteTable.get(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    /** The route whose inbox tag is {@code tag}: which of our sessions an envelope is for. */
    public Optional<SessionRoute> routeByInboxTag(byte[] tag) {
        check();
        return RouteTable.byInboxTag(sql, Bytes.exact(tag, Bytes.ID_LENGTH, "tag"));
    }

    /**
     * What {@code ourId}'s mailbox follower follows: the inbox tags of its established sessions,
     * of its sessions awaiting key confirmation, and of its sessions closed less than
     * {@link #CLOSED_SESSION_GRACE} ago (a message the peer sent before it learned of the newer
     * session may still come). Drops the ratchet states of the sessions closed longer ago, and
     * of revoked ones (any identity's).
     */
    public List<byte[]> inboxTags(PeerId ourId) {
        check();
        // Sessions that no longer receive need their ratchet state no more.
        SessionTable.wipeEnded(sql, now - CLOSED_SESSION_GRACE.toMillis());
        return RouteTable.inboxTags(sql, Objects.requireNonNull(ourId, "ourId"), now - CLOSED_SESSION_GRACE.toMillis());
    }

    /** Records that the initiator's key confirmation arrived; false if it had already. */
    public boolean confirmRoute(byte[] sessionId) {
        check();
        return RouteTable.confirm(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    /** Records the endpoint we last sent the peer of this session. */
    public void setAdvertised(byte[] sessionId, String endpoint) {
        check();
        RouteTable.setAdvertised(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"), endpoint);
    }

    /** Sets the key the session's mailbox tags change under (32 bytes; the route must exist). */
    public void setMailboxKey(byte[] sessionId, byte[] key) {
        check();
        RouteTable.setMailboxKey(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"),
                Bytes.exact(key, Bytes.ID_LENGTH, "mailbox tag key"));
    }

    /** The key the session's mailbox tags change under; empty for a session made before tags changed. */
    public Optional<byte[]> mailboxKey(byte[] sessionId) {
        check();
        return RouteTable.mailboxKey(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    // ---- pending handshakes ----

    /** Stores a pending handshake; refuses to replace one with the same request ID. */
    public void savePendingHandshake(PendingHandshake handshake) {
        check();
        HandshakeTable.insert(sql, Objects.requireNonNull(handshake, "handshake"));
    }

    public Optional<PendingHandshake> pendingHandshake(byte[] requestId) {
        check();
        return HandshakeTable.get(sql, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"));
    }

    /** All pending handshakes, oldest first (a restarted daemon resumes watching them). */
    public List<PendingHandshake> pendingHandshakes() {
        check();
        return HandshakeTable.all(sql);
    }

    /** Deletes a pending handshake and its ephemeral key; false if there was none. */
    public boolean deletePendingHandshake(byte[] requestId) {
        check();
        return HandshakeTable.delete(sql, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"));
    }

    /** Deletes the handshakes expired by now, with their keys; returns how many. */
    public int deleteExpiredHandshakes() {
        check();
        return HandshakeTable.deleteExpired(sql, now);
    }

    // ---- named contacts ----

    /** Every contact the user named, by name. */
    public List<Contact> contacts() {
        check();
        return ContactTable.all(sql);
    }

    /** Names {@code peer} (or renames it); its verified mark, if any, stays. */
    public void nameContact(PeerId peer, String name) {
        check();
        ContactTable.put(sql, now, Objects.requireNonNull(peer, "peer"), Objects.requireNonNull(name, "name"));
    }

    /** Forgets the name (and the verified mark) of {@code peer}; false if it had none. */
    public boolean forgetContact(PeerId peer) {
        check();
        return ContactTable.remove(sql, Objects.requireNonNull(peer, "peer"));
    }

    /**
     * Marks the named contact {@code peer} verified with its 64-byte registry key {@code key}, or
     * clears the mark ({@code key} null); false if {@code peer} is not a named contact.
     */
    public boolean markVerified(PeerId peer, byte[] key) {
        check();
        return ContactTable.setVerified(sql, Objects.requireNonNull(peer, "peer"),
                key == null ? null : Bytes.exact(key, 64, "verified key"));
    }

    // ---- contacts and message requests ----

    /** How {@code ourId} treats {@code peer}'s requests: a contact, blocked, or neither (empty). */
    public Optional<ContactStatus> contactStatus(PeerId ourId, PeerId peer) {
        check();
        return RequestTable.contact(sql, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"));
    }

    /** Makes {@code peer} a contact of {@code ourId}, or blocks it. */
    public void setContactStatus(PeerId ourId, PeerId peer, ContactStatus status) {
        check();
        RequestTable.setContact(sql, now, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"),
                Objects.requireNonNull(status, "status"));
    }

    /** Forgets {@code peer} as a contact or a blocked identity; false if it was neither. */
    public boolean removeContactStatus(PeerId ourId, PeerId peer) {
        check();
        return RequestTable.removeContact(sql, Objects.requireNonNull(ourId, "ourId"),
                Objects.requireNonNull(peer, "peer"));
    }

    /** The peers {@code ourId} gave this status, oldest first. */
    public List<PeerId> peersWithStatus(PeerId ourId, ContactStatus status) {
        check();
        return RequestTable.withStatus(sql, Objects.requireNonNull(ourId, "ourId"),
                Objects.requireNonNull(status, "status"));
    }

    /**
     * Stores a message request with its first messages, unless this request ID is stored already or
     * was handled (accepted, declined, blocked) before: then returns false and writes nothing.
     */
    public boolean saveRequest(MessageRequest request) {
        check();
        return RequestTable.insert(sql, now, Objects.requireNonNull(request, "request"));
    }

    /** Whether this request ID is stored as a message request or was handled before. */
    public boolean knowsRequest(byte[] requestId) {
        check();
        return RequestTable.known(sql, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"));
    }

    /** Remembers a request as handled, so a second delivery of it is ignored. */
    public void markRequestHandled(byte[] requestId) {
        check();
        RequestTable.markHandled(sql, now, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"));
    }

    /** The message requests to {@code ourId}, oldest first, with their messages. */
    public List<MessageRequest> requests(PeerId ourId) {
        check();
        return RequestTable.list(sql, Objects.requireNonNull(ourId, "ourId"), null);
    }

    /** {@code peer}'s message requests to {@code ourId}, oldest first, with their messages. */
    public List<MessageRequest> requestsFrom(PeerId ourId, PeerId peer) {
        check();
        return RequestTable.list(sql, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"));
    }

    /** Deletes {@code peer}'s requests to {@code ourId}, remembering them as handled; returns how many. */
    public int dropRequests(PeerId ourId, PeerId peer) {
        check();
        return RequestTable.drop(sql, now, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"));
    }

    /**
     * Deletes the requests signed before {@code requestsSignedBefore} (expired) and forgets the IDs of
     * requests handled before {@code handledBefore}; returns how many requests it deleted.
     */
    public int deleteExpiredRequests(Instant requestsSignedBefore, Instant handledBefore) {
        check();
        RequestTable.forgetHandledBefore(sql, Objects.requireNonNull(handledBefore, "handledBefore"));
        return RequestTable.deleteSignedBefore(sql, Objects.requireNonNull(requestsSignedBefore, "signedBefore"));
    }

    /**
     * Closes every session between {@code ourId} and {@code peer} for good: ratchet states wiped,
     * routes deleted (their tags are no longer followed), undelivered outgoing messages FAILED.
     * Returns how many sessions there were.
     */
    public int closeSessionsWith(PeerId ourId, PeerId peer) {
        check();
        List<byte[]> ids = SessionTable.idsWith(sql, Objects.requireNonNull(ourId, "ourId"),
                Objects.requireNonNull(peer, "peer"));
        ids.forEach(id -> SessionTable.closeForGood(sql, now, id));
        return ids.size();
    }

    /**
     * Closes for good the sessions we answered that are still waiting for the initiator's key
     * confirmation and are older than {@code maxAge} (by this store's clock); returns how many.
     */
    public int expireUnconfirmedIncoming(java.time.Duration maxAge) {
        check();
        List<byte[]> ids = SessionTable.unconfirmedIncomingBefore(sql,
                now - Objects.requireNonNull(maxAge, "maxAge").toMillis());
        ids.forEach(id -> SessionTable.closeForGood(sql, now, id));
        return ids.size();
    }

    /** Deletes our pending handshakes with {@code peer} and their keys; returns how many. */
    public int deletePendingHandshakesWith(PeerId ourId, PeerId peer) {
        check();
        int n = 0;
        for (PendingHandshake h : HandshakeTable.all(sql)) {
            if (h.ourId().equals(ourId) && h.peer().equals(peer) && HandshakeTable.delete(sql, h.requestId())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Our chat messages to {@code peer} that ride on unanswered handshake requests (their sessions
     * were never established) and have not arrived, oldest first: what a new request carries again.
     */
    public List<Message> carriedMessages(PeerId ourId, PeerId peer) {
        check();
        return MessageTable.carried(sql, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"));
    }

    /**
     * Moves an outgoing message to another (existing) session, and deletes the session it came from
     * if that was a never-established outgoing one nothing else refers to.
     */
    public void moveOutgoing(MessageId id, byte[] sessionId) {
        check();
        Message m = MessageTable.get(sql, Objects.requireNonNull(id, "id")).orElseThrow(
                () -> new StoreException("no message " + id + " in this profile"));
        MessageTable.move(sql, id, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
        SessionTable.deleteIfUnused(sql, m.sessionId());
    }

    /** Marks our chat messages carried by the request that made this session as delivered; returns how many. */
    public int markCarriedDelivered(byte[] sessionId) {
        check();
        return MessageTable.markCarriedDelivered(sql, now, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    // ---- messages ----

    /**
     * Stores an outgoing message as QUEUED, with the envelope that will carry it. Call it in the
     * same transaction as {@link #saveState} for the advanced ratchet, and before the envelope
     * reaches any transport: after a crash the message is resent from here, and the key that
     * encrypted it is never used again.
     */
    public Message insertOutgoing(byte[] sessionId, MessageId id, byte[] body, byte[] envelope) {
        return insertOutgoing(sessionId, id, MessageKind.TEXT, body, envelope);
    }

    /** Like {@link #insertOutgoing(byte[], MessageId, byte[], byte[])}, for any kind of message. */
    public Message insertOutgoing(byte[] sessionId, MessageId id, MessageKind kind, byte[] body, byte[] envelope) {
        check();
        return MessageTable.insertOutgoing(sql, now, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"),
                Objects.requireNonNull(id, "id"), Objects.requireNonNull(kind, "kind"), Bytes.copy(body, "body"),
                Bytes.copy(envelope, "envelope"));
    }

    /**
     * Stores an incoming message and remembers its envelope's hash, or returns false and writes
     * nothing if this envelope, or a message with this ID, was stored before. Call it in the same
     * transaction as {@link #saveState} for the ratchet that decrypted it (and the transport's
     * cursor, if any), so a crash can neither lose the message nor deliver it twice.
     *
     * @param sentAt the sender's time if the transport knows it (e.g. the block time), or null
     */
    public boolean insertIncoming(byte[] sessionId, MessageId id, byte[] body, byte[] envelope,
            Transport transport, Instant sentAt) {
        check();
        return MessageTable.insertIncoming(sql, now, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"),
                Objects.requireNonNull(id, "id"), Bytes.copy(body, "body"), Bytes.copy(envelope, "envelope"),
                Objects.requireNonNull(transport, "transport"), sentAt);
    }

    /** Whether this exact envelope was accepted before; check it before decrypting a redelivery. */
    public boolean seen(byte[] envelope) {
        check();
        return MessageTable.seen(sql, Objects.requireNonNull(envelope, "envelope"));
    }

    /**
     * Remembers an accepted envelope that stores no message (an acknowledgement), so that its
     * redelivery is recognised; false if it was seen before.
     */
    public boolean markSeen(byte[] envelope) {
        check();
        return MessageTable.markSeen(sql, now, MessageTable.sha256(Objects.requireNonNull(envelope, "envelope")));
    }

    /**
     * Like {@link #markSeen(byte[])}, for a control envelope that carried message {@code id}: a
     * copy of it is then acknowledged again ({@link #seenMessageId}).
     */
    public boolean markSeen(byte[] envelope, MessageId id) {
        check();
        return MessageTable.markSeen(sql, now, MessageTable.sha256(Objects.requireNonNull(envelope, "envelope")),
                Objects.requireNonNull(id, "id"));
    }

    /**
     * The ID of the message an accepted envelope carried (a stored incoming message, or a control
     * packet recorded with {@link #markSeen(byte[], MessageId)}): what to acknowledge again when a
     * copy arrives. Empty if unknown.
     */
    public Optional<MessageId> seenMessageId(byte[] envelope) {
        check();
        return MessageTable.seenMessageId(sql, Objects.requireNonNull(envelope, "envelope"));
    }

    /**
     * For a mailbox copy of an accepted envelope: the ID of the message it carried, to acknowledge
     * again (the sender resends only what it holds no acknowledgement for), unless a copy of this
     * envelope was acknowledged again less than {@code gap} ago. Anyone can post a copy of a
     * public envelope: this bounds what copies can make the receiver pay for.
     */
    public Optional<MessageId> acknowledgeCopy(byte[] envelope, java.time.Duration gap) {
        check();
        return MessageTable.acknowledgeCopy(sql, now, Objects.requireNonNull(envelope, "envelope"), gap.toMillis());
    }

    /**
     * Records the body of the REPLY an accepted envelope got on a direct connection (empty when
     * there was nothing to acknowledge), so that a copy of it is answered with the same bytes
     * instead of a new acknowledgement. The envelope must have been accepted in this or an
     * earlier transaction ({@link #insertIncoming} or {@link #markSeen}).
     */
    public void setReply(byte[] envelope, byte[] reply) {
        check();
        MessageTable.setReply(sql, MessageTable.sha256(Objects.requireNonNull(envelope, "envelope")),
                Bytes.copy(reply, "reply"));
    }

    /** The REPLY body an accepted envelope got on a direct connection; empty if it came through the mailbox. */
    public Optional<byte[]> replyTo(byte[] envelope) {
        check();
        return MessageTable.reply(sql, MessageTable.sha256(Objects.requireNonNull(envelope, "envelope")));
    }

    /** The incoming message that arrived in exactly this envelope: what to acknowledge again for a redelivery. */
    public Optional<Message> incomingByEnvelope(byte[] envelope) {
        check();
        return MessageTable.incomingByEnvelope(sql, Objects.requireNonNull(envelope, "envelope"));
    }

    public Optional<Message> message(MessageId id) {
        check();
        return MessageTable.get(sql, Objects.requireNonNull(id, "id"));
    }

    /** The newest {@code limit} messages exchanged with {@code peer} over all sessions, oldest first. */
    public List<Message> messages(PeerId peer, int limit) {
        check();
        return MessageTable.withPeer(sql, Objects.requireNonNull(peer, "peer"), limit);
    }

    /** Up to {@code limit} messages (any peer, both directions) stored after local sequence number {@code seq}. */
    public List<Message> messagesAfter(long seq, int limit) {
        check();
        return MessageTable.after(sql, seq, limit);
    }

    /** The newest chat messages that pass {@code filter} (up to its limit), oldest first: what `inbox` shows. */
    public List<Message> history(History filter) {
        check();
        return MessageTable.history(sql, Objects.requireNonNull(filter, "filter"));
    }

    /**
     * Marks the incoming message {@code id} read: it was shown to the user. Returns false if it
     * was read already, or is not an incoming message of this store.
     */
    public boolean markRead(MessageId id) {
        check();
        return MessageTable.markRead(sql, now, Objects.requireNonNull(id, "id")) > 0;
    }

    /** Whether the incoming message {@code id} was shown ({@link #markRead}); false for any other. */
    public boolean isRead(MessageId id) {
        check();
        return MessageTable.isRead(sql, Objects.requireNonNull(id, "id"));
    }

    /** The local sequence number of the newest message, or 0: where a follower that shows only new ones starts. */
    public long lastMessageSeq() {
        check();
        return MessageTable.lastSeq(sql);
    }

    /** Outgoing messages not yet acknowledged (QUEUED or SENT), oldest first: the resend queue. */
    public List<Message> undelivered(int limit) {
        check();
        return MessageTable.undelivered(sql, limit);
    }

    /** Like {@link #undelivered(int)}, only the messages of {@code ourId}'s sessions. */
    public List<Message> undelivered(PeerId ourId, int limit) {
        check();
        return MessageTable.undelivered(sql, Objects.requireNonNull(ourId, "ourId"), limit);
    }

    /**
     * Outgoing messages that have not been delivered (queued, sent without acknowledgement,
     * failed, cancelled), oldest first: what {@code peerkey outbox} lists.
     */
    public List<Message> outbox(int limit) {
        check();
        return MessageTable.outbox(sql, limit);
    }

    /**
     * Records that an outgoing message was handed to {@code transport} (again, for a resend).
     * Returns false if there is no such outgoing message or it is already delivered.
     */
    public boolean markSent(MessageId id, Transport transport) {
        check();
        return MessageTable.markSent(sql, now, Objects.requireNonNull(id, "id"),
                Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Records the mailbox post that carried outgoing message {@code id} ({@code post} null: its
     * last send went by another transport).
     */
    public boolean recordPost(MessageId id, Post post) {
        check();
        return MessageTable.recordPost(sql, Objects.requireNonNull(id, "id"), post == null ? null : post.txHash(),
                post == null ? null : post.block());
    }

    /** The mailbox post recorded for outgoing message {@code id}, if its last send was one. */
    public Optional<Post> post(MessageId id) {
        check();
        return MessageTable.post(sql, Objects.requireNonNull(id, "id"));
    }

    /** Notes acknowledgements owed on a session and not sent yet, owed from now. */
    public void oweAcks(byte[] sessionId, List<MessageId> ids) {
        oweAcks(sessionId, ids, Instant.ofEpochMilli(now));
    }

    /** Notes acknowledgements owed on a session since {@code since} (given back by a post that failed). */
    public void oweAcks(byte[] sessionId, List<MessageId> ids, Instant since) {
        check();
        OwedAckTable.owe(sql, since.toEpochMilli(), Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"),
                List.copyOf(ids));
    }

    /** Takes (removes and returns) the acknowledgements owed on a session: a post on it carries them. */
    public List<MessageId> takeOwedAcks(byte[] sessionId) {
        check();
        return OwedAckTable.take(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    /**
     * Takes the acknowledgements owed on {@code ourId}'s sessions whose oldest is owed since
     * {@code before} or earlier, by session ID.
     */
    public java.util.Map<java.nio.ByteBuffer, List<MessageId>> takeOwedAcksDue(PeerId ourId, Instant before) {
        check();
        return OwedAckTable.takeDue(sql, Objects.requireNonNull(ourId, "ourId"), before.toEpochMilli());
    }

    /** How many acknowledgements {@code ourId} owes and has not sent. */
    public int owedAcks(PeerId ourId) {
        check();
        return OwedAckTable.count(sql, Objects.requireNonNull(ourId, "ourId"));
    }

    /** Records the peer's acknowledgement. Returns false if unknown or already delivered. */
    public boolean markDelivered(MessageId id) {
        check();
        return MessageTable.markDelivered(sql, now, Objects.requireNonNull(id, "id"));
    }

    /**
     * Records that sending was given up, and why: it leaves the resend queue. Returns false if
     * unknown, delivered, failed or cancelled already.
     */
    public boolean markFailed(MessageId id, String error) {
        check();
        return MessageTable.markFailed(sql, Objects.requireNonNull(id, "id"), Objects.requireNonNull(error, "error"));
    }

    /** Records why a delivery attempt failed, leaving the message's status (it stays in the queue). */
    public boolean noteError(MessageId id, String error) {
        check();
        return MessageTable.noteError(sql, Objects.requireNonNull(id, "id"), Objects.requireNonNull(error, "error"));
    }

    /**
     * Cancels an outgoing message that has not left: queued, or failed. It is then never sent.
     * Returns false for anything else (sent, delivered, cancelled already, incoming, unknown,
     * or a session's key confirmation).
     */
    public boolean cancel(MessageId id) {
        check();
        return MessageTable.cancel(sql, now, Objects.requireNonNull(id, "id"));
    }

    // ---- sync cursors ----

    public Optional<Cursor> cursor(String name) {
        check();
        return CursorTable.get(sql, Objects.requireNonNull(name, "name"));
    }

    /** When the cursor was last set (by this store's clock). */
    public Optional<Instant> cursorSavedAt(String name) {
        check();
        return CursorTable.savedAt(sql, Objects.requireNonNull(name, "name"));
    }

    /** Sets the cursor, also backwards (after a chain reorganisation). */
    public void setCursor(String name, long block, long logIndex) {
        check();
        CursorTable.set(sql, now, new Cursor(name, block, logIndex));
    }

    /** The blocks (with their hashes) the cursor {@code name} stood on lately, newest first. */
    public List<Checkpoint> checkpoints(String name) {
        check();
        return CursorTable.checkpoints(sql, Objects.requireNonNull(name, "name"));
    }

    /**
     * Sets the cursor {@code name} to block {@code at} (also backwards) and remembers the block's
     * hash; checkpoints of later blocks are dropped, and only the newest {@code keep} kept.
     */
    public void setCursor(String name, Checkpoint at, int keep) {
        check();
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint");
        }
        CursorTable.set(sql, now, Objects.requireNonNull(name, "name"), Objects.requireNonNull(at, "at"), keep);
    }

    // ---- our answers to handshake requests ----

    /** Keeps our signed answer to request {@code requestId} (and the request), to submit it again if it is dropped. */
    public void saveSentAccept(byte[] requestId, byte[] request, byte[] accept) {
        check();
        SentAcceptTable.save(sql, now, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"), Bytes.copy(request,
                "request"), Bytes.copy(accept, "accept"));
    }

    /** Our stored answer to request {@code requestId}: {request, accept}, as saved. */
    public Optional<byte[][]> sentAccept(byte[] requestId) {
        check();
        return SentAcceptTable.get(sql, Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID"));
    }

    /** Forgets answers stored before {@code before} (the contract takes no answer that late anyway). */
    public int deleteSentAcceptsBefore(Instant before) {
        check();
        return SentAcceptTable.deleteOlderThan(sql, before.toEpochMilli());
    }

    // ---- the peer's registry key ----

    /** Records that session (or pending handshake) {@code sessionId} was made with the peer's key number {@code keyIndex}. */
    public void bindPeerKey(byte[] sessionId, int keyIndex) {
        check();
        KeyTable.bind(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"), requireIndex(keyIndex));
    }

    /** The peer's key number the session was made with; empty for a session made before keys were recorded. */
    public OptionalInt peerKeyIndex(byte[] sessionId) {
        check();
        return KeyTable.bound(sql, Bytes.exact(sessionId, Bytes.ID_LENGTH, "session ID"));
    }

    /** The peer's key number the user accepted (first contact, or `peerkey auth`); empty if none yet. */
    public OptionalInt acceptedPeerKey(PeerId ourId, PeerId peer) {
        check();
        return KeyTable.accepted(sql, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"));
    }

    /** Records that the user accepted the peer's key number {@code keyIndex}. */
    public void acceptPeerKey(PeerId ourId, PeerId peer, int keyIndex) {
        check();
        KeyTable.accept(sql, now, Objects.requireNonNull(ourId, "ourId"), Objects.requireNonNull(peer, "peer"),
                requireIndex(keyIndex));
    }

    private static int requireIndex(int keyIndex) {
        if (keyIndex < 0) {
            throw new IllegalArgumentException("a key index cannot be negative, got " + keyIndex);
        }
        return keyIndex;
    }

    // ---- lifecycle ----

    void end() {
        ended = true;
    }

    private void check() {
        if (ended || Thread.currentThread() != owner) {
            throw new IllegalStateException(
                    "this transaction has ended; use a Tx only inside the call that handed it out, on its thread");
        }
        if (sql.failure() != null) {
            throw new StoreException("an earlier statement in this transaction failed; it will be rolled back",
                    sql.failure());
        }
    }
}
