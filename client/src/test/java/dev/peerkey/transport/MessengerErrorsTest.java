package dev.peerkey.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peerkey.chain.RevertException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

class MessengerErrorsTest {
    private static final String ID = "0x" + "cd".repeat(32);
    private final MessengerErrors errors = new MessengerErrors("the auth request");

    private static String selector(String signature) {
        return Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
    }

    @Test
    void namesTheErrorAndWhatWasRefused() {
        RevertException revoked = errors.decode(selector("IdentityRevoked(bytes32)") + ID.substring(2));
        assertEquals("IdentityRevoked", revoked.errorName());
        assertEquals("the messenger refused the auth request: identity " + ID + " is revoked", revoked.getMessage());

        RevertException expired = errors.decode(selector("IdentityExpired(bytes32,uint40)") + ID.substring(2)
                + String.format("%064x", 86_400));
        assertEquals("the messenger refused the auth request: identity " + ID + " expired at 1970-01-02T00:00:00Z",
                expired.getMessage());

        RevertException tooLarge = new MessengerErrors("the envelope")
                .decode(selector("EnvelopeTooLarge(uint256)") + String.format("%064x", 20_000));
        assertEquals("EnvelopeTooLarge", tooLarge.errorName());
        assertEquals("the messenger refused the envelope: the envelope has 20000 bytes, more than the 16384 it"
                + " accepts", tooLarge.getMessage());
    }

    @Test
    void staleAndSupersededRequestsAreExplained() {
        MessengerErrors accept = new MessengerErrors("the auth accept");
        RevertException expired = accept.decode(selector("RequestExpired(bytes32,uint40)") + ID.substring(2)
                + String.format("%064x", 86_400));
        assertEquals("RequestExpired", expired.errorName());
        assertEquals("the messenger refused the auth accept: request " + ID + " was signed at 1970-01-02T00:00:00Z,"
                + " more than an hour ago, and can no longer be answered; the initiator must start a new handshake",
                expired.getMessage());
        RevertException superseded = accept.decode(selector("RequestSuperseded(bytes32)") + ID.substring(2));
        assertEquals("RequestSuperseded", superseded.errorName());
        assertEquals("the messenger refused the auth accept: request " + ID + " was made with a key the initiator"
                + " has since replaced, so it can no longer be answered; the initiator must start a new handshake"
                + " with its current key", superseded.getMessage());
    }

    @Test
    void dataWithoutAKnownErrorSuggestsAWrongAddress() {
        RevertException none = errors.decode("0x");
        assertEquals("revert", none.errorName());
        assertEquals("the messenger refused the auth request without a reason (is the address a peerkey"
                + " messenger?)", none.getMessage());
        RevertException unknown = errors.decode("0xdeadbeef" + "00".repeat(32));
        assertEquals("revert", unknown.errorName());
        assertEquals("the messenger refused the auth request with unknown error data 0xdeadbeef (is the address a"
                + " peerkey messenger?)", unknown.getMessage());
    }
}
