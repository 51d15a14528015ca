package dev.peerkey.transport;

import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One Messenger event that concerns a follower, at its place in the chain: a handshake request
 * to it, an accept of its request, or a mailbox envelope under one of its tags. The contents are
 * as the node reported them; the caller verifies signatures against the registry itself.
 */
public sealed interface ChainEvent permits ChainEvent.RequestEvent, ChainEvent.AcceptEvent, ChainEvent.PostEvent {
    /** The block the event was emitted in. */
    long block();

    /** The event's index among the block's logs; with {@link #block()} it orders events. */
    long logIndex();

    /**
     * An {@code AuthRequested} event addressed to the follower.
     *
     * @param requestId the ID the event carries (not checked: recompute it with
     *     {@link AuthRequest#requestId} before relying on it)
     */
    record RequestEvent(long block, long logIndex, AuthRequest request, byte[] requestId) implements ChainEvent {
        public RequestEvent {
            Objects.requireNonNull(request, "request");
            requestId = requestId.clone();
        }

        @Override
        public byte[] requestId() {
            return requestId.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RequestEvent other && block == other.block && logIndex == other.logIndex
                    && request.equals(other.request) && Arrays.equals(requestId, other.requestId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(block, logIndex, request, Arrays.hashCode(requestId));
        }

        @Override
        public String toString() {
            return "RequestEvent[block=" + block + ", logIndex=" + logIndex + ", initiator=" + request.initiator()
                    + ", requestId=0x" + HexFormat.of().formatHex(requestId) + "]";
        }
    }

    /** An {@code AuthAccepted} event answering a request the follower sent. */
    record AcceptEvent(long block, long logIndex, AuthAccept accept) implements ChainEvent {
        public AcceptEvent {
            Objects.requireNonNull(accept, "accept");
        }
    }

    /** A {@code Posted} event under one of the follower's tags. */
    record PostEvent(long block, long logIndex, byte[] tag, byte[] envelope) implements ChainEvent {
        public PostEvent {
            tag = tag.clone();
            envelope = envelope.clone();
        }

        @Override
        public byte[] tag() {
            return tag.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PostEvent other && block == other.block && logIndex == other.logIndex
                    && Arrays.equals(tag, other.tag) && Arrays.equals(envelope, other.envelope);
        }

        @Override
        public int hashCode() {
            return Objects.hash(block, logIndex, Arrays.hashCode(tag), Arrays.hashCode(envelope));
        }

        @Override
        public String toString() {
            return "PostEvent[block=" + block + ", logIndex=" + logIndex + ", tag=0x" + HexFormat.of().formatHex(tag)
                    + ", envelope=" + envelope.length + " bytes]";
        }
    }
}
