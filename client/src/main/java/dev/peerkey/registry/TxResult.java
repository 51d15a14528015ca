package dev.peerkey.registry;

/**
 * A mined transaction.
 *
 * @param txHash its hash
 * @param gasUsed the gas it used in all (intrinsic, calldata and execution)
 * @param blockNumber the block it was mined in
 */
public record TxResult(String txHash, long gasUsed, long blockNumber) { }
