package dev.peerkey.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.rlp.RlpType;
import org.web3j.utils.Numeric;

/**
 * A mined transaction, as a node returns it in eth_getBlockByNumber(…, true), encoded again as the
 * raw signed transaction that was sent (the node's v, r, s kept): legacy (type 0, with or without
 * EIP-155), EIP-2930 (type 1) and EIP-1559 (type 2). The encoding's keccak is the transaction hash.
 */
public final class RawTransactions {
    private RawTransactions() {
    }

    /** The raw signed transaction; a type this cannot encode (blobs, EIP-7702, a deposit) is refused. */
    public static byte[] encode(JsonNode tx) {
        int type = tx.hasNonNull("type") ? quantity(tx, "type").intValueExact() : 0;
        List<RlpType> fields = new ArrayList<>();
        switch (type) {
            case 0 -> {
                fields.add(number(tx, "nonce"));
                fields.add(number(tx, "gasPrice"));
                fields.add(number(tx, "gas"));
                fields.add(to(tx));
                fields.add(number(tx, "value"));
                fields.add(bytes(tx, "input"));
                fields.add(number(tx, "v"));
                fields.add(number(tx, "r"));
                fields.add(number(tx, "s"));
                return RlpEncoder.encode(new RlpList(fields));
            }
            case 1, 2 -> {
                fields.add(number(tx, "chainId"));
                fields.add(number(tx, "nonce"));
                if (type == 1) {
                    fields.add(number(tx, "gasPrice"));
                } else {
                    fields.add(number(tx, "maxPriorityFeePerGas"));
                    fields.add(number(tx, "maxFeePerGas"));
                }
                fields.add(number(tx, "gas"));
                fields.add(to(tx));
                fields.add(number(tx, "value"));
                fields.add(bytes(tx, "input"));
                fields.add(accessList(tx));
                fields.add(RlpString.create(yParity(tx)));
                fields.add(number(tx, "r"));
                fields.add(number(tx, "s"));
                byte[] body = RlpEncoder.encode(new RlpList(fields));
                byte[] raw = new byte[body.length + 1];
                raw[0] = (byte) type;
                System.arraycopy(body, 0, raw, 1, body.length);
                return raw;
            }
            default -> throw new ChainException("transaction " + tx.path("hash").asText() + " is of type " + type
                    + ", which cannot be saved for a replay (only legacy, EIP-2930 and EIP-1559 ones)");
        }
    }

    /**
     * The address whose key signed {@code raw} (as {@link #encode} made it), lower-case 0x hex, or null if its
     * signature recovers no key: a node's impersonated sends carry a made-up one.
     */
    public static String signer(byte[] raw) {
        try {
            if (org.web3j.crypto.TransactionDecoder.decode(Numeric.toHexString(raw))
                    instanceof org.web3j.crypto.SignedRawTransaction signed) {
                return signed.getFrom().toLowerCase(java.util.Locale.ROOT);
            }
            return null;
        } catch (java.security.SignatureException | RuntimeException e) {
            return null;
        }
    }

    /** The hash of the encoding, 0x-prefixed lower-case hex: the transaction hash if the encoding is right. */
    public static String hash(byte[] raw) {
        return Numeric.toHexString(Hash.sha3(raw));
    }

    private static BigInteger yParity(JsonNode tx) {
        BigInteger parity = tx.hasNonNull("yParity") ? quantity(tx, "yParity") : quantity(tx, "v");
        // Some nodes give typed transactions a legacy v of 27/28.
        return parity.compareTo(BigInteger.ONE) > 0 ? parity.subtract(BigInteger.valueOf(27)) : parity;
    }

    private static RlpType accessList(JsonNode tx) {
        List<RlpType> entries = new ArrayList<>();
        for (JsonNode entry : tx.path("accessList")) {
            List<RlpType> keys = new ArrayList<>();
            for (JsonNode key : entry.path("storageKeys")) {
                keys.add(RlpString.create(Numeric.hexStringToByteArray(key.asText())));
            }
            entries.add(new RlpList(RlpString.create(Numeric.hexStringToByteArray(entry.path("address").asText())),
                    new RlpList(keys)));
        }
        return new RlpList(entries);
    }

    private static RlpType to(JsonNode tx) {
        JsonNode to = tx.get("to");
        return to == null || to.isNull() ? RlpString.create(new byte[0])
                : RlpString.create(Numeric.hexStringToByteArray(to.asText()));
    }

    private static RlpType bytes(JsonNode tx, String field) {
        JsonNode value = tx.hasNonNull(field) ? tx.get(field) : tx.get("data");
        return RlpString.create(value == null || value.isNull() ? new byte[0]
                : Numeric.hexStringToByteArray(value.asText()));
    }

    private static RlpType number(JsonNode tx, String field) {
        return RlpString.create(quantity(tx, field));
    }

    private static BigInteger quantity(JsonNode tx, String field) {
        JsonNode value = tx.get(field);
        if (value == null || value.isNull() || !value.asText().startsWith("0x")) {
            throw new ChainException("transaction " + tx.path("hash").asText() + " has no " + field
                    + " the node returned");
        }
        return Numeric.toBigInt(value.asText());
    }
}
