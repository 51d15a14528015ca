package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

class AbiErrorsTest {
    private static final String ABI = """
            [
              {"type": "function", "name": "foo", "inputs": [{"name": "id", "type": "bytes32"}]},
              {"type": "error", "name": "Late", "inputs": [{"name": "id", "type": "bytes32"},
                                                          {"name": "at", "type": "uint40"}]},
              {"type": "error", "name": "Empty", "inputs": []},
              {"type": "error", "name": "NotOwner", "inputs": [{"name": "account", "type": "address"}]}
            ]""";
    private static final String ID = "0x" + "ab".repeat(32);

    private static AbiErrors errors() throws Exception {
        return AbiErrors.of(new ObjectMapper().readTree(ABI));
    }

    private static String selector(String signature) {
        return Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
    }

    private static String word(long value) {
        return String.format("%064x", value);
    }

    @Test
    void decodesAnErrorAndItsArgumentsBySelector() throws Exception {
        String data = selector("Late(bytes32,uint40)") + ID.substring(2) + word(1_700_000_000L);
        AbiErrors.Decoded late = errors().decode(data).orElseThrow();
        assertEquals("Late", late.name());
        assertEquals(List.of(ID, BigInteger.valueOf(1_700_000_000L)), late.args());
        assertEquals("2023-11-14T22:13:20Z", AbiErrors.time(late.args().get(1)));
        assertEquals(late, errors().decode(data.toUpperCase().replace("0X", "0x")).orElseThrow());

        assertEquals(new AbiErrors.Decoded("Empty", List.of()), errors().decode(selector("Empty()")).orElseThrow());
        String account = "0x" + "12".repeat(20);
        assertEquals(List.of(account),
                errors().decode(selector("NotOwner(address)") + "0".repeat(24) + account.substring(2))
                        .orElseThrow().args());
    }

    @Test
    void unknownShortOrTruncatedDataIsNotDecoded() throws Exception {
        AbiErrors errors = errors();
        for (String data : new String[] {null, "", "0x", "0x1234", selector("Other(bytes32)") + ID.substring(2),
                selector("foo(bytes32)") + ID.substring(2), selector("Late(bytes32,uint40)"),
                selector("Late(bytes32,uint40)") + ID.substring(2)}) {
            assertEquals(Optional.empty(), errors.decode(data), String.valueOf(data));
        }
    }

    @Test
    void theBundledArtifactsCarryEveryErrorTheContractsUse() {
        AbiErrors registry = AbiErrors.fromArtifact(Registry.class, "IdentityRegistry.json");
        assertEquals("AlreadyRegistered", registry.decode(selector("AlreadyRegistered(bytes32)") + ID.substring(2))
                .orElseThrow().name());
        AbiErrors messenger = AbiErrors.fromArtifact(MessengerContract.class, "Messenger.json");
        for (String signature : new String[] {"SelfAuthentication(bytes32)", "SealedPayloadTooLarge(uint256)",
                "RequestReplayed(bytes32)", "UnknownRequest(bytes32)", "AlreadyAccepted(bytes32)",
                "EnvelopeTooLarge(uint256)", "UnknownIdentity(bytes32)", "IdentityRevoked(bytes32)",
                "InvalidSignature(bytes32)"}) {
            String name = signature.substring(0, signature.indexOf('('));
            assertEquals(name, messenger.decode(selector(signature) + ID.substring(2)).orElseThrow().name());
        }
        for (String signature : new String[] {"ZeroEphemeralKey()", "EmptyEnvelope()"}) {
            assertTrue(messenger.decode(selector(signature)).isPresent(), signature);
        }
        for (String signature : new String[] {"IdentityExpired(bytes32,uint40)", "StaleTimestamp(uint40,uint40)",
                "FutureTimestamp(uint40,uint40)"}) {
            assertTrue(messenger.decode(selector(signature) + word(1) + word(2)).isPresent(), signature);
        }
    }

    @Test
    void aMissingArtifactIsABuildError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AbiErrors.fromArtifact(AbiErrorsTest.class, "Nothing.json"));
        assertTrue(e.getMessage().contains("Nothing.json"), e.getMessage());
    }
}
