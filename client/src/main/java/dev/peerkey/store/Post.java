package dev.peerkey.store;

/**
 * The mailbox post that last carried an outgoing message.
 *
 * @param txHash its transaction's hash (32 bytes)
 * @param block the block its receipt named when it was recorded
 */
public record Post(byte[] txHash, long block) {
    public Post {
        txHash = Bytes.exact(txHash, Bytes.ID_LENGTH, "transaction hash");
    }

    @Override
    public byte[] txHash() {
        return txHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Post p && block == p.block && java.util.Arrays.equals(txHash, p.txHash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(txHash);
    }
}
