package dev.peerkey.messaging;

import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.identity.PeerId;
import java.nio.ByteBuffer;

/**
 * A signed AuthRequest as kept with its pending handshake, so a restarted client can finish
 * it: initiator (32) | responder (32) | ephemeral key (32) | signedAt (8) | signature (65) |
 * sealed payload (rest). Everything in it is public on chain already.
 */
final class StoredRequest {
    private static final int SIGNATURE = 65;
    private static final int FIXED = 32 + 32 + 32 + 8 + SIGNATURE;

    private StoredRequest() {
    }

    static byte[] encode(AuthRequest r) {
        byte[] signature = r.signature();
        byte[] payload = r.sealedPayload();
        return ByteBuffer.allocate(FIXED + payload.length).put(r.initiator().bytes()).put(r.responder().bytes())
                .put(r.ephemeralKey()).putLong(r.signedAtSeconds()).put(signature).put(payload).array();
    }

    static AuthRequest decode(byte[] bytes) {
        if (bytes == null || bytes.length < FIXED) {
            throw new MessagingException("the stored handshake request is missing or truncated; start a new one with"
                    + " `peerkey auth`");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        PeerId initiator = PeerId.of(take(in, 32));
        PeerId responder = PeerId.of(take(in, 32));
        byte[] ephemeral = take(in, 32);
        long signedAt = in.getLong();
        byte[] signature = take(in, SIGNATURE);
        return AuthRequest.of(initiator, responder, ephemeral, signedAt, take(in, in.remaining()), signature);
    }

    /** Our signed answer, kept to submit it again: request ID (32) | the fields as {@link #encode(AuthRequest)}. */
    static byte[] encodeAccept(AuthAccept a) {
        byte[] payload = a.sealedPayload();
        return ByteBuffer.allocate(32 + FIXED + payload.length).put(a.requestId()).put(a.initiator().bytes())
                .put(a.responder().bytes()).put(a.ephemeralKey()).putLong(a.signedAtSeconds()).put(a.signature())
                .put(payload).array();
    }

    static AuthAccept decodeAccept(byte[] bytes) {
        if (bytes == null || bytes.length < 32 + FIXED) {
            throw new MessagingException("the stored handshake answer is missing or truncated");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] requestId = take(in, 32);
        PeerId initiator = PeerId.of(take(in, 32));
        PeerId responder = PeerId.of(take(in, 32));
        byte[] ephemeral = take(in, 32);
        long signedAt = in.getLong();
        byte[] signature = take(in, SIGNATURE);
        return AuthAccept.of(requestId, initiator, responder, ephemeral, signedAt, take(in, in.remaining()), signature);
    }

    private static byte[] take(ByteBuffer in, int n) {
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }
}
