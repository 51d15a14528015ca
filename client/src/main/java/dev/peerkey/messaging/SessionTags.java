package dev.peerkey.messaging;

import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.PeerId;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The 32-byte tags that address a session's envelopes, one per direction and constant for the
 * session: the direct-frame tag (it goes only to the peer's socket), and the mailbox topic of
 * sessions made before mailbox tags changed daily ({@link MailboxTags}); the store finds a
 * session by its inbox tag. They come from the session secret (HKDF, salt = request ID, info =
 * label and recipient ID), so only the two peers can compute them.
 */
record SessionTags(byte[] inbox, byte[] outbox) {
    private static final byte[] LABEL = "peerkey/mailbox-tag/v1".getBytes(StandardCharsets.US_ASCII);

    static SessionTags of(SessionKeys keys) {
        byte[] secret = keys.sharedSecret();
        try {
            return new SessionTags(tag(secret, keys.requestId(), keys.localId()),
                    tag(secret, keys.requestId(), keys.peerId()));
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] tag(byte[] secret, byte[] requestId, PeerId recipient) {
        byte[] info = new byte[LABEL.length + 32];
        System.arraycopy(LABEL, 0, info, 0, LABEL.length);
        System.arraycopy(recipient.bytes(), 0, info, LABEL.length, 32);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(secret, requestId, info));
        byte[] out = new byte[32];
        hkdf.generateBytes(out, 0, out.length);
        return out;
    }
}
