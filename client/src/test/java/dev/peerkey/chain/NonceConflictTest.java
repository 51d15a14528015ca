package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peerkey.chain.Transactor.NonceConflict;
import org.junit.jupiter.api.Test;

/** The node messages that make the transactor sign again, as Hardhat 3.18 and Geth word them. */
class NonceConflictTest {
    @Test
    void aTakenNonceIsRetried() {
        for (String message : new String[] {
            "Nonce too low. Expected nonce to be 1 but got 0. Note that transactions can't be queued when automining.",
            "Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 3025000000 is necessary to"
                    + " replace the existing transaction with nonce 1.",
            "Transaction nonce too low. Expected nonce to be at least 1 but got 0.",
            "nonce too low: next nonce 5, tx nonce 4",
            "replacement transaction underpriced"}) {
            assertEquals(NonceConflict.NONCE_TAKEN, NonceConflict.of(message), message);
        }
    }

    @Test
    void theSameTransactionTwiceCountsAsSent() {
        for (String message : new String[] {"Known transaction: 0x3864e3aeeeaa058b0b29b6973dceb97663e5c525cd33a7e0"
                + "0134728e39c7d8e4", "already known"}) {
            assertEquals(NonceConflict.ALREADY_KNOWN, NonceConflict.of(message), message);
        }
    }

    @Test
    void otherRefusalsAreErrors() {
        for (String message : new String[] {
            "Nonce too high. Expected nonce to be 1 but got 10. Note that transactions can't be queued when automining.",
            "Sender doesn't have enough funds to send tx.", "transaction underpriced", "insufficient funds", "", null}) {
            assertEquals(NonceConflict.NONE, NonceConflict.of(message), String.valueOf(message));
        }
    }
}
