package dev.peerkey.session;

import java.util.Arrays;

/**
 * Keys met while advancing a receiving chain from message {@code from} to message {@code to}:
 * the message keys of the skipped messages and the chain key reached. Nothing is stored in a
 * session until the message that caused the walk has authenticated.
 */
final class ChainWalk {
    final long from;
    /** skipped[i] is the message key of message {@code from + i}. */
    final byte[][] skipped;
    /** The chain key at position {@code to}. */
    final byte[] chainKey;

    private ChainWalk(long from, byte[][] skipped, byte[] chainKey) {
        this.from = from;
        this.skipped = skipped;
        this.chainKey = chainKey;
    }

    /** Walks from {@code chainKey} at position {@code from} to position {@code to >= from}. */
    static ChainWalk walk(byte[] chainKey, long from, long to) {
        byte[][] skipped = new byte[Math.toIntExact(to - from)][];
        byte[] ck = chainKey;
        for (int i = 0; i < skipped.length; i++) {
            byte[] mk = new byte[RatchetCrypto.KEY_SIZE];
            byte[] next = new byte[RatchetCrypto.KEY_SIZE];
            RatchetCrypto.kdfChain(ck, mk, next);
            if (ck != chainKey) {
                Arrays.fill(ck, (byte) 0);
            }
            skipped[i] = mk;
            ck = next;
        }
        return new ChainWalk(from, skipped, ck == chainKey ? chainKey.clone() : ck);
    }

    /** Overwrites every key: the walk was for a message that did not authenticate. */
    void destroy() {
        for (byte[] mk : skipped) {
            Arrays.fill(mk, (byte) 0);
        }
        Arrays.fill(chainKey, (byte) 0);
    }
}
