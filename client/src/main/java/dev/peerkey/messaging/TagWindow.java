package dev.peerkey.messaging;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.Tx;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mailbox tags one follower pass asks the chain for, and which session each belongs to.
 * Per followed session, the tags of every epoch from the one before the later of "the cursor
 * was last saved" and "the session was made", to the one after now: a sender whose clock is
 * up to a day off is still heard, and a client offline for days still finds the mail of every
 * day it missed. A session made before tags changed ({@code key} null) has its one constant tag.
 */
final class TagWindow {
    /**
     * One followed session.
     *
     * @param inboxTag its constant inbox tag: how {@link Inbound} finds the session
     * @param key the key its mailbox tags change under, or null
     * @param recipient our identity in the session
     * @param createdAt when the session was made here
     */
    record Followed(byte[] inboxTag, byte[] key, PeerId recipient, Instant createdAt) { }

    private final Map<ByteBuffer, byte[]> inboxTagOf = new LinkedHashMap<>();

    private TagWindow() {
    }

    /**
     * @param cursorSavedAt when the follower's cursor was last saved, or empty if it never was
     * @param now the follower's clock
     */
    static TagWindow of(List<Followed> sessions, Optional<Instant> cursorSavedAt, Instant now) {
        TagWindow window = new TagWindow();
        long today = MailboxTags.epochOf(now);
        for (Followed s : sessions) {
            if (s.key() == null) {
                window.inboxTagOf.put(ByteBuffer.wrap(s.inboxTag()), s.inboxTag());
                continue;
            }
            Instant since = cursorSavedAt.filter(t -> t.isAfter(s.createdAt())).orElse(s.createdAt());
            long first = Math.min(MailboxTags.epochOf(since), today) - 1;
            for (long epoch = first; epoch <= today + 1; epoch++) {
                window.inboxTagOf.put(ByteBuffer.wrap(MailboxTags.tag(s.key(), s.recipient(), epoch)), s.inboxTag());
            }
        }
        return window;
    }

    /** The window for {@code ourId}'s sessions the store says to follow ({@link Tx#inboxTags}). */
    static TagWindow read(Tx tx, PeerId ourId, String cursorName, Instant now) {
        List<Followed> sessions = new ArrayList<>();
        for (byte[] inboxTag : tx.inboxTags(ourId)) {
            Optional<SessionRoute> route = tx.routeByInboxTag(inboxTag);
            Optional<SessionRecord> session = route.flatMap(r -> tx.sessionById(r.sessionId()));
            if (session.isPresent()) {
                byte[] key = tx.mailboxKey(route.get().sessionId()).orElse(null);
                sessions.add(new Followed(inboxTag, key, session.get().ourId(), session.get().createdAt()));
            }
        }
        return of(sessions, tx.cursorSavedAt(cursorName), now);
    }

    /** Every tag to ask for. */
    List<byte[]> tags() {
        return inboxTagOf.keySet().stream().map(b -> b.array().clone()).toList();
    }

    /** The constant inbox tag of the session a post under {@code tag} is for, if it is one of ours. */
    Optional<byte[]> inboxTagOf(byte[] tag) {
        return Optional.ofNullable(inboxTagOf.get(ByteBuffer.wrap(tag))).map(byte[]::clone);
    }
}
