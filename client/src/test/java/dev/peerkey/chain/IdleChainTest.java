package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Which freshness refusals an idle chain explains, and when a message blames our clock. */
class IdleChainTest {
    private static final long NOW = 1_800_000_000L;

    private static String futureTimestamp(long signedAt, long blockTime) {
        String selector = Numeric.toHexString(Hash.sha3("FutureTimestamp(uint40,uint40)"
                .getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
        return selector + Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(signedAt), 64)
                + Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(blockTime), 64);
    }

    private static Transactor.MiningTime idleFor(long seconds) {
        return new Transactor.MiningTime(true, NOW, NOW - seconds);
    }

    @Test
    void aSignatureOfNowAgainstAnOldBlockIsExplainedByIdleness() {
        assertTrue(Transactor.explainedByIdleness(futureTimestamp(NOW, NOW - 600), idleFor(600)));
    }

    @Test
    void aSignatureAheadOfOurClockIsNot() {
        assertFalse(Transactor.explainedByIdleness(futureTimestamp(NOW + 3600, NOW - 600), idleFor(600)));
    }

    @Test
    void otherRefusalsAreNot() {
        assertFalse(Transactor.explainedByIdleness("0x", idleFor(600)));
        assertFalse(Transactor.explainedByIdleness("0x12345678" + "00".repeat(64), idleFor(600)));
    }

    @Test
    void theClockIsBlamedOnlyWhenItDisagreesWithTheSignature() {
        long now = Instant.now().getEpochSecond();
        String right = AbiErrors.clockHint(BigInteger.valueOf(now), BigInteger.valueOf(now - 900));
        assertFalse(right.contains("check the clock"), right);
        assertTrue(right.contains("900 s old"), right);
        String wrong = AbiErrors.clockHint(BigInteger.valueOf(now + 3600), BigInteger.valueOf(now));
        assertTrue(wrong.contains("check the clock"), wrong);
    }
}
