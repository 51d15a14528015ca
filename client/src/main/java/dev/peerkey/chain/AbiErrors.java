package dev.peerkey.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The custom errors of one contract ABI, found by the 4-byte selector that starts revert
 * data, with their arguments decoded. Each contract's {@link RevertDecoder} words them.
 */
public final class AbiErrors {
    /**
     * One decoded custom error.
     *
     * @param name the error's name, e.g. {@code IdentityRevoked}
     * @param args its arguments in order: byte arrays as 0x hex, integers as {@link BigInteger},
     *     addresses as 0x hex strings
     */
    public record Decoded(String name, List<Object> args) {
        public Decoded {
            args = List.copyOf(args);
        }
    }

    private record ErrorAbi(String name, List<String> types) { }

    private final Map<String, ErrorAbi> bySelector = new HashMap<>();

    private AbiErrors(JsonNode abi) {
        for (JsonNode entry : abi) {
            if (!"error".equals(entry.path("type").asText())) {
                continue;
            }
            List<String> typeNames = new ArrayList<>();
            entry.path("inputs").forEach(input -> typeNames.add(input.path("type").asText()));
            String signature = entry.path("name").asText() + "(" + String.join(",", typeNames) + ")";
            String selector = Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII)))
                    .substring(0, 10);
            bySelector.put(selector, new ErrorAbi(entry.path("name").asText(), List.copyOf(typeNames)));
        }
    }

    /** The errors of a JSON ABI array. */
    public static AbiErrors of(JsonNode abi) {
        return new AbiErrors(abi);
    }

    /**
     * The errors in the {@code abi} of a Hardhat artifact bundled as a resource.
     *
     * @param anchor the class {@code resource} is resolved against
     * @throws IllegalStateException if the resource is missing (a broken build)
     */
    public static AbiErrors fromArtifact(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the contract ABI " + resource + " is missing from the jar");
            }
            return new AbiErrors(new ObjectMapper().readTree(in).path("abi"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The custom error {@code revertData} encodes.
     *
     * @param revertData 0x-prefixed hex, as the node returned it
     * @return empty if the data is shorter than a selector, the selector is not in this ABI, or
     *     the arguments do not decode (so a malformed answer is never half-read)
     */
    public Optional<Decoded> decode(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return Optional.empty();
        }
        ErrorAbi error = bySelector.get(revertData.substring(0, 10).toLowerCase());
        if (error == null) {
            return Optional.empty();
        }
        return decodeArgs(error.types(), "0x" + revertData.substring(10))
                .map(args -> new Decoded(error.name(), args));
    }

    /** A decoded uint timestamp (seconds since 1970) as an ISO-8601 instant, for messages. */
    public static String time(Object seconds) {
        return Instant.ofEpochSecond(((BigInteger) seconds).longValueExact()).toString();
    }

    /**
     * Why a signed timestamp and the chain's time disagree, for a StaleTimestamp or FutureTimestamp
     * message: our clock is blamed only when it disagrees with the chain's and the signature's
     * time is ours; when the signed time matches our clock, the chain's time is the odd one out
     * (an idle chain whose latest block is old, or a node with a wrong clock).
     */
    public static String clockHint(Object signedAt, Object chainTime) {
        long signed = ((BigInteger) signedAt).longValueExact();
        long chain = ((BigInteger) chainTime).longValueExact();
        long now = Instant.now().getEpochSecond();
        if (Math.abs(now - signed) > 60) {
            return " (check the clock)";
        }
        long gap = Math.abs(now - chain);
        return now > chain
                ? " (our clock is right: the chain's latest block is " + gap + " s old, so the chain has been idle"
                        + " or the node is behind; try again when it makes a new block)"
                : " (our clock is right: the chain's time is " + gap + " s ahead of it)";
    }

    /** The arguments, or empty if the data does not hold exactly {@code types}. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Optional<List<Object>> decodeArgs(List<String> types, String data) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : types) {
            try {
                refs.add(TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("unsupported ABI type " + type, e);
            }
        }
        List<Type> decoded;
        try {
            decoded = FunctionReturnDecoder.decode(data, refs);
        } catch (RuntimeException e) {
            return Optional.empty(); // web3j throws assorted unchecked exceptions on malformed data
        }
        if (decoded.size() != refs.size()) {
            return Optional.empty();
        }
        List<Object> values = new ArrayList<>();
        for (Type value : decoded) {
            Object raw = value.getValue();
            values.add(raw instanceof byte[] bytes ? Numeric.toHexString(bytes) : raw);
        }
        return Optional.of(values);
    }
}
