package dev.peerkey.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.peerkey.identity.PeerId;

/**
 * A handshake request from an identity that is not a contact, kept unanswered until the user
 * accepts, declines or blocks it. Accessors return copies.
 *
 * @param requestId the request's 32-byte on-chain ID
 * @param request the signed request as the messaging layer encodes it (public: it is on chain)
 * @param signedAt the initiator's signed timestamp
 * @param receivedAt when this profile stored it
 * @param messages the first messages it carried, decrypted, oldest first
 */
public record MessageRequest(byte[] requestId, PeerId ourId, PeerId peer, byte[] request, Instant signedAt,
        Instant receivedAt, List<RequestMessage> messages) {

    public MessageRequest {
        requestId = Bytes.exact(requestId, Bytes.ID_LENGTH, "request ID");
        Objects.requireNonNull(ourId, "ourId");
        Objects.requireNonNull(peer, "peer");
        request = Bytes.copy(request, "request");
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        messages = List.copyOf(messages);
    }

    @Override
    public byte[] requestId() {
        return requestId.clone();
    }

    @Override
    public byte[] request() {
        return request.clone();
    }

    public String requestHex() {
        return Bytes.hex(requestId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageRequest r && Arrays.equals(requestId, r.requestId) && ourId.equals(r.ourId)
                && peer.equals(r.peer) && Arrays.equals(request, r.request) && signedAt.equals(r.signedAt)
                && receivedAt.equals(r.receivedAt) && messages.equals(r.messages);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(requestId);
    }

    @Override
    public String toString() {
        return "MessageRequest[" + requestHex() + ", peer=" + peer + ", " + messages.size() + " message(s)]";
    }
}
