package dev.peerkey.messaging;

import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Mailbox tags that change every epoch (one UTC day), so that an observer of the chain cannot
 * link a session's posts of different days by their tag. Each session has a 32-byte tag key
 * (HKDF-SHA256 over the session secret, salt = request ID, its own label), which both peers
 * derive; the tag of the envelopes to {@code recipient} in epoch {@code e} is
 * HMAC-SHA256(tag key, label | recipient ID | e as 8 bytes, big-endian). A sender tags by its
 * clock's epoch; the recipient follows a window of epochs around it.
 *
 * <p>The direct transport's frame tag stays one per session ({@link SessionTags}): it only goes
 * to the peer's own socket, and it is derived apart from the tag key, so knowing it reveals no
 * mailbox tag.
 */
final class MailboxTags {
    /** How long one tag is used. */
    static final Duration EPOCH = Duration.ofDays(1);

    private static final byte[] KEY_LABEL = "peerkey/mailbox-tag-key/v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAG_LABEL = "peerkey/mailbox-tag/v2".getBytes(StandardCharsets.US_ASCII);

    private MailboxTags() {
    }

    /** The session's tag key; the same on both sides. */
    static byte[] key(SessionKeys keys) {
        byte[] secret = keys.sharedSecret();
        try {
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(secret, keys.requestId(), KEY_LABEL));
            byte[] out = new byte[32];
            hkdf.generateBytes(out, 0, out.length);
            return out;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** The epoch {@code t} falls in: whole epochs since 1970-01-01T00:00Z. */
    static long epochOf(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), EPOCH.toSeconds());
    }

    /** The tag of envelopes to {@code recipient} in {@code epoch}. */
    static byte[] tag(byte[] key, PeerId recipient, long epoch) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a mailbox tag key is 32 bytes, not " + key.length);
        }
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        mac.update(TAG_LABEL, 0, TAG_LABEL.length);
        mac.update(recipient.bytes(), 0, 32);
        byte[] e = ByteBuffer.allocate(Long.BYTES).putLong(epoch).array();
        mac.update(e, 0, e.length);
        byte[] out = new byte[32];
        mac.doFinal(out, 0);
        return out;
    }
}
