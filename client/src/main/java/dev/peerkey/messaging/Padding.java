package dev.peerkey.messaging;

import dev.peerkey.session.Envelope;
import java.util.List;

/**
 * The sizes envelopes come in, so that an observer of the mailbox (or of a direct connection)
 * learns only a size class, not a message's length. A packet is padded with zeros inside the
 * encryption until its envelope is the smallest of {@link #ENVELOPE_SIZES} that holds it;
 * beyond the largest (16,384 bytes, also the Messenger's limit, so only direct frames go
 * there) envelopes are a multiple of it.
 */
public final class Padding {
    /** Every mailbox envelope is exactly one of these many bytes long. */
    public static final List<Integer> ENVELOPE_SIZES = List.of(256, 1024, 4096, 16_384);

    private static final int LARGEST = ENVELOPE_SIZES.get(ENVELOPE_SIZES.size() - 1);

    private Padding() {
    }

    /** The padded size of an envelope that would be {@code length} bytes unpadded. */
    public static int envelopeSize(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        for (int size : ENVELOPE_SIZES) {
            if (length <= size) {
                return size;
            }
        }
        return Math.ceilDiv(length, LARGEST) * LARGEST;
    }

    /** The padded size of a packet (the envelope's plaintext) that is {@code length} bytes unpadded. */
    static int plaintextSize(int length) {
        return envelopeSize(length + Envelope.OVERHEAD) - Envelope.OVERHEAD;
    }
}
