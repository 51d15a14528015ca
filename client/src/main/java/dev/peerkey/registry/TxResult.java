package dev.peerkey.registry;

import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A mined transaction.
 *
 * @param txHash its hash
 * @param gasUsed the gas it used in all (intrinsic, calldata and execution)
 * @param blockNumber the block it was mined in
 */
public record TxResult(String txHash, long gasUsed, long blockNumber) {
    /** The result a mined transaction's receipt reports. */
    public static TxResult of(TransactionReceipt receipt) {
        return new TxResult(receipt.getTransactionHash(), receipt.getGasUsed().longValueExact(),
                receipt.getBlockNumber().longValueExact());
    }
}
