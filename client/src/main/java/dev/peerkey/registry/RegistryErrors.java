package dev.peerkey.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.RevertDecoder;
import dev.peerkey.chain.RevertException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Decodes the registry's custom errors from revert data, using the ABI that ships in
 * the jar, and words each as one sentence a user can act on.
 */
final class RegistryErrors implements RevertDecoder {
    static final RegistryErrors INSTANCE = new RegistryErrors();

    private record ErrorAbi(String name, List<String> types) { }

    private final Map<String, ErrorAbi> bySelector = new HashMap<>();

    private RegistryErrors() {
        for (JsonNode entry : RegistryAbi.abi()) {
            if (!"error".equals(entry.path("type").asText())) {
                continue;
            }
            List<String> types = new ArrayList<>();
            entry.path("inputs").forEach(input -> types.add(input.path("type").asText()));
            String signature = entry.path("name").asText() + "(" + String.join(",", types) + ")";
            String selector = Numeric.toHexString(Hash.sha3(signature.getBytes())).substring(0, 10);
            bySelector.put(selector, new ErrorAbi(entry.path("name").asText(), types));
        }
    }

    @Override
    public RevertException decode(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return new RevertException("revert", "the registry rejected the request without a reason"
                    + " (is the address a peerkey registry?)");
        }
        ErrorAbi error = bySelector.get(revertData.substring(0, 10).toLowerCase());
        if (error == null) {
            return new RevertException("revert", "the registry rejected the request with unknown error data "
                    + revertData.substring(0, 10) + " (is the address a peerkey registry?)");
        }
        List<Object> args = decodeArgs(error, "0x" + revertData.substring(10));
        return new RevertException(error.name(), describe(error.name(), args));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Object> decodeArgs(ErrorAbi error, String data) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : error.types()) {
            try {
                refs.add((TypeReference) TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("unsupported ABI type " + type, e);
            }
        }
        List<Object> values = new ArrayList<>();
        for (Type value : FunctionReturnDecoder.decode(data, refs)) {
            Object raw = value.getValue();
            values.add(raw instanceof byte[] bytes ? Numeric.toHexString(bytes) : raw);
        }
        return values;
    }

    private static String describe(String name, List<Object> a) {
        return switch (name) {
            case "InvalidPublicKeyLength" -> "a public key must be 64 bytes, not " + a.get(0);
            case "PublicKeyMismatch" -> "the public key hashes to " + a.get(1) + ", not to the identity " + a.get(0);
            case "AlreadyRegistered" -> "identity " + a.get(0) + " is already registered";
            case "UnknownIdentity" -> "identity " + a.get(0) + " is not registered";
            case "IdentityRevoked" -> "identity " + a.get(0) + " has been revoked";
            case "IdentityExpired" -> "identity " + a.get(0) + " expired at " + time(a.get(1));
            case "NotKeyOwner" -> "account " + a.get(1) + " does not hold the key of identity " + a.get(0);
            case "InvalidSignature" -> "the signature is not by the key of identity " + a.get(0)
                    + " for this chain and registry, or it was already used";
            case "StaleTimestamp" -> "the signed timestamp " + time(a.get(0)) + " is too old for chain time "
                    + time(a.get(1)) + " (check the clock)";
            case "FutureTimestamp" -> "the signed timestamp " + time(a.get(0)) + " is ahead of chain time "
                    + time(a.get(1)) + " (check the clock)";
            case "ValidityEndInPast" -> "the validity end " + time(a.get(0)) + " is not after chain time "
                    + time(a.get(1));
            case "NoKeyAt" -> "identity " + a.get(0) + " had no valid key at " + time(a.get(1));
            case "KeyIndexOutOfRange" -> "identity " + a.get(0) + " has no key number " + a.get(1);
            default -> "the registry rejected the request: " + name + a;
        };
    }

    private static String time(Object seconds) {
        return Instant.ofEpochSecond(((BigInteger) seconds).longValueExact()).toString();
    }

    /** The contract ABI from the Hardhat artifact bundled in the jar. */
    static final class RegistryAbi {
        private static final String RESOURCE = "IdentityRegistry.json";

        static JsonNode abi() {
            try (InputStream in = RegistryErrors.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the registry ABI is missing from the jar");
                }
                return new ObjectMapper().readTree(in).path("abi");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private RegistryAbi() { }
    }
}
