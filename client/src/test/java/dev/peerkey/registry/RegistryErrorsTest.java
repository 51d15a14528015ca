package dev.peerkey.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.peerkey.chain.RevertException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** The registry's version-2 errors, decoded from revert data and worded as sentences. */
class RegistryErrorsTest {
    private static final String ID = "0x" + "ab".repeat(32);

    private static String revert(String signature, String... words) {
        StringBuilder data = new StringBuilder(Numeric.toHexString(
                Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII))).substring(0, 10));
        for (String word : words) {
            data.append(word);
        }
        return data.toString();
    }

    private static String uint(long value) {
        return String.format("%064x", value);
    }

    private static String bytes32(String hex) {
        return Numeric.cleanHexPrefix(hex);
    }

    private static String sentence(String revertData) {
        return RegistryErrors.INSTANCE.decode(revertData).getMessage();
    }

    @Test
    void recoveryErrorsNameTheCauseAndTheTime() {
        long readyAt = Instant.parse("2026-12-03T10:00:00Z").getEpochSecond();
        assertEquals("the recovery delay has not passed: the rotation can complete at 2026-12-03T10:00:00Z",
                sentence(revert("RecoveryNotReady(bytes32,uint40)", bytes32(ID), uint(readyAt))));
        assertEquals("identity " + ID + " was registered without a recovery key",
                sentence(revert("NoRecoveryKey(bytes32)", bytes32(ID))));
        assertEquals("identity " + ID + " has no recovery in progress",
                sentence(revert("NoPendingRecovery(bytes32)", bytes32(ID))));
        assertEquals("a recovery of identity " + ID + " to this key is already in progress; it can complete at"
                        + " 2026-12-03T10:00:00Z",
                sentence(revert("RecoveryPending(bytes32,uint40)", bytes32(ID), uint(readyAt))));
    }

    @Test
    void everyNewErrorHasItsOwnSentence() {
        String[][] cases = {
            {"InvalidPublicKey()"},
            {"NotDirectCall(address)", uint(0xbeef)},
            {"ValidityEndTooFar(uint40,uint40)", uint(4_000_000_000L), uint(2_000_000_000L)},
            {"InvalidRecoveryDelay()"},
            {"StaleRecovery(bytes32)", bytes32(ID)},
            {"RecoveryKeyMismatch(bytes32,bytes32)", bytes32(ID), bytes32(ID)},
            {"InvalidPoint()"},
        };
        for (String[] c : cases) {
            RevertException e = RegistryErrors.INSTANCE.decode(revert(c[0], Arrays.copyOfRange(c, 1, c.length)));
            assertEquals(c[0].substring(0, c[0].indexOf('(')), e.errorName());
            assertFalse(e.getMessage().startsWith("the registry rejected the request"), e.getMessage());
        }
        assertEquals("the validity end 2096-10-02T07:06:40Z is more than 3650 days ahead: choose one at or before"
                        + " 2033-05-18T03:33:20Z",
                sentence(revert("ValidityEndTooFar(uint40,uint40)", uint(4_000_000_000L), uint(2_000_000_000L))));
    }
}
