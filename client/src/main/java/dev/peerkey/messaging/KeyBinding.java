package dev.peerkey.messaging;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.Tx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Sessions bound to the peer's registry key. Every session records the number of the peer's key
 * it was made with; when the registry (checked through {@link PeerCheck}) reports another current
 * key, or a revoked identity, the session is closed (status REVOKED) and refuses messages both
 * ways. The user's accepted key for each peer (the first session's, then each explicit
 * {@code peerkey auth}) guards the way out: a session made with any other key, even one the peer
 * opened itself, sends nothing until the user has run {@code peerkey auth} (which shows the change).
 */
final class KeyBinding {
    private final Store store;
    private final PeerId me;
    private final PeerCheck peers;

    KeyBinding(Store store, PeerId me, PeerCheck peers) {
        this.store = store;
        this.me = me;
        this.peers = peers;
    }

    /**
     * "<peer>'s key changed (now key #2): the session made with key #1 is closed; check the new key
     * with `peerkey lookup <peer>` and run `peerkey auth <peer>`".
     */
    static String changed(PeerId peer, int now, OptionalInt was) {
        String name = peer.displayName().value();
        return name + "'s key changed (now key #" + now + "): the session made with "
                + (was.isPresent() ? "key #" + was.getAsInt() : "an earlier key") + " is closed; check the new key"
                + " with `peerkey lookup " + name + "` and run `peerkey auth " + name + "`";
    }

    /**
     * Before a message of {@code session} is accepted: the peer is active and its current key is
     * the session's. Otherwise the session is closed and this throws.
     *
     * @throws PeerUnavailableException if the peer is no longer active
     * @throws KeyChangedException if the peer's key changed since the session was made
     */
    PeerCheck.Verified requireCurrent(SessionRecord session) {
        PeerCheck.Verified current;
        try {
            current = peers.requireActiveRecently(session.peer());
        } catch (PeerUnavailableException e) {
            closeAll(session.peer());
            throw e;
        }
        OptionalInt bound = store.inTransactionReturning(tx -> tx.peerKeyIndex(session.sessionId()));
        if (bound.isEmpty() || bound.getAsInt() != current.keyIndex()) {
            store.inTransaction(tx -> close(tx, session.sessionId()));
            throw new KeyChangedException(changed(session.peer(), current.keyIndex(), bound));
        }
        return current;
    }

    /**
     * Before a message to {@code peer} is encrypted: checks the peer against the registry and
     * closes its established session if it was made with another key than the current one (all
     * its open sessions, if it is no longer active).
     *
     * @return the peer's current key, for {@link #sendable}
     * @throws PeerUnavailableException if the peer is no longer active
     */
    PeerCheck.Verified checkBeforeSending(PeerId peer) {
        PeerCheck.Verified current;
        try {
            current = peers.requireActiveRecently(peer);
        } catch (PeerUnavailableException e) {
            closeAll(peer);
            throw e;
        }
        store.inTransaction(tx -> tx.session(me, peer).ifPresent(s -> {
            OptionalInt bound = tx.peerKeyIndex(s.sessionId());
            if (bound.isEmpty() || bound.getAsInt() != current.keyIndex()) {
                close(tx, s.sessionId());
            }
        }));
        return current;
    }

    /**
     * Inside the transaction that encrypts a message: the established session with {@code peer},
     * made with its current key ({@code current}, from {@link #checkBeforeSending}) and that key
     * accepted by the user.
     *
     * @throws KeyChangedException if the key changed, or the user has not accepted the session's key
     * @throws MessagingException if there is no session
     */
    SessionRecord sendable(Tx tx, PeerId peer, int current) {
        OptionalInt accepted = tx.acceptedPeerKey(me, peer);
        SessionRecord session = tx.session(me, peer).orElseThrow(() -> {
            if (accepted.isPresent() && accepted.getAsInt() != current) {
                return new KeyChangedException(changed(peer, current, accepted));
            }
            return new MessagingException("no session with " + peer + " yet: run `peerkey auth " + peer
                    + "` first (or wait for its answer)");
        });
        OptionalInt bound = tx.peerKeyIndex(session.sessionId());
        if (bound.isEmpty() || bound.getAsInt() != current) {
            throw new KeyChangedException(changed(peer, current, bound));
        }
        if (accepted.isPresent() && accepted.getAsInt() != current) {
            throw new KeyChangedException(changed(peer, current, accepted));
        }
        return session;
    }

    /**
     * Before a handshake with {@code peer} starts. An explicit one (the user ran {@code peerkey
     * auth}) accepts the peer's current key and returns the key accepted before if it was another;
     * an implicit one (a {@code send} without a session) is refused if the key changed.
     *
     * @throws KeyChangedException for an implicit handshake with a peer whose key changed
     */
    OptionalInt beforeHandshake(Tx tx, PeerId peer, int current, boolean explicit) {
        OptionalInt accepted = tx.acceptedPeerKey(me, peer);
        boolean changed = accepted.isPresent() && accepted.getAsInt() != current;
        if (changed && !explicit) {
            throw new KeyChangedException(changed(peer, current, accepted));
        }
        if (explicit) {
            tx.acceptPeerKey(me, peer, current);
        }
        return changed ? accepted : OptionalInt.empty();
    }

    /** Records the key a new session (or pending handshake) was made with; the first one with a peer is accepted. */
    void bind(Tx tx, byte[] sessionId, PeerId peer, int keyIndex) {
        tx.bindPeerKey(sessionId, keyIndex);
        if (tx.acceptedPeerKey(me, peer).isEmpty()) {
            tx.acceptPeerKey(me, peer, keyIndex);
        }
    }

    /** Whether {@code session} was made with the peer key the user accepted (or no key was accepted yet). */
    boolean accepted(Tx tx, SessionRecord session) {
        OptionalInt accepted = tx.acceptedPeerKey(me, session.peer());
        return accepted.isEmpty() || accepted.equals(tx.peerKeyIndex(session.sessionId()));
    }

    /**
     * One sentence per peer that opened a session with a key the user has not accepted: the
     * notice {@code inbox} prints until the user runs {@code peerkey auth}.
     */
    List<String> unacceptedChanges() {
        return store.inTransactionReturning(tx -> {
            Map<PeerId, String> notices = new LinkedHashMap<>();
            for (SessionRecord s : tx.sessions()) {
                OptionalInt bound = tx.peerKeyIndex(s.sessionId());
                OptionalInt accepted = tx.acceptedPeerKey(me, s.peer());
                if (s.ourId().equals(me) && isOpen(s) && bound.isPresent() && accepted.isPresent()
                        && bound.getAsInt() != accepted.getAsInt()) {
                    notices.putIfAbsent(s.peer(), changed(s.peer(), bound.getAsInt(), accepted)
                            + "; until then nothing is sent to " + s.peer().displayName().value());
                }
            }
            return new ArrayList<>(notices.values());
        });
    }

    private void closeAll(PeerId peer) {
        store.inTransaction(tx -> open(tx, peer).forEach(s -> close(tx, s.sessionId())));
    }

    private List<SessionRecord> open(Tx tx, PeerId peer) {
        return tx.sessions().stream().filter(s -> s.ourId().equals(me) && s.peer().equals(peer) && isOpen(s)).toList();
    }

    private static boolean isOpen(SessionRecord s) {
        return s.status() == SessionStatus.ESTABLISHED || s.status() == SessionStatus.PENDING_INCOMING;
    }

    private static void close(Tx tx, byte[] sessionId) {
        SessionRecord s = tx.sessionById(sessionId).orElseThrow();
        if (s.status() != SessionStatus.REVOKED) {
            tx.saveSession(s.sessionId(), s.ourId(), s.peer(), SessionStatus.REVOKED, s.state(), s.endpoint());
        }
    }
}
