package dev.peerkey.registry;

import dev.peerkey.chain.Chain;
import dev.peerkey.identity.InvalidSignatureException;
import dev.peerkey.identity.MalformedKeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.identity.Signatures;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.utils.Numeric;

/**
 * Rebuilds an identity's keys from its first key by checking the two signatures in
 * every rotation transaction, so a node cannot invent a rotation: each new key must be
 * authorised by the key before it, and the first key hashes to the ID.
 */
final class RotationChain {
    private static final String ROTATE_SELECTOR = Numeric.toHexString(Hash.sha3(
            "rotateKey(bytes32,bytes,uint40,uint40,bytes,bytes)".getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
    private static final List<String> ROTATE_TYPES = List.of("bytes32", "bytes", "uint40", "uint40", "bytes", "bytes");

    private final Chain chain;
    private final String registry;
    private final TypedData typedData;

    RotationChain(Chain chain, String registry, TypedData typedData) {
        this.chain = chain;
        this.registry = registry;
        this.typedData = typedData;
    }

    /**
     * The identity's keys, oldest first, each proven by its predecessor's signature.
     *
     * @throws RegistryException when a rotation is not signed as the contract demands
     */
    List<PublicKey> verifiedKeys(PeerId id, PublicKey firstKey) {
        List<PublicKey> keys = new ArrayList<>(List.of(firstKey));
        for (Log log : rotationLogs(id)) {
            Transaction tx = chain.send(chain.web3j().ethGetTransactionByHash(log.getTransactionHash()))
                    .getTransaction().orElseThrow(() -> invalid(id, "a rotation transaction is missing"));
            String input = tx.getInput();
            if (input == null || !input.startsWith(ROTATE_SELECTOR)) {
                throw invalid(id, "rotation " + keys.size() + " was not a direct rotateKey call, so it cannot be checked");
            }
            List<Object> args = decode("0x" + input.substring(10));
            PublicKey next = key(id, (byte[]) args.get(1));
            byte[] newKeyHash = Hash.sha3(next.bytes());
            if (!Arrays.equals((byte[]) args.get(0), id.bytes())
                    || !Numeric.toHexString(newKeyHash).equalsIgnoreCase(eventKeyHash(log))) {
                throw invalid(id, "rotation " + keys.size() + " does not match its transaction");
            }
            // Registration consumes nonce 0 and only rotations consume nonces after it
            // (a relayed revocation ends the identity), so rotation k was signed with nonce k.
            long nonce = keys.size();
            byte[] digest = typedData.rotateKey(id.bytes(), newKeyHash, ((BigInteger) args.get(2)).longValueExact(),
                    ((BigInteger) args.get(3)).longValueExact(), nonce);
            requireSigner(id, digest, (byte[]) args.get(4), keys.get(keys.size() - 1), keys.size());
            requireSigner(id, digest, (byte[]) args.get(5), next, keys.size());
            keys.add(next);
        }
        return keys;
    }

    private List<Log> rotationLogs(PeerId id) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ZERO),
                DefaultBlockParameterName.LATEST, registry);
        filter.addSingleTopic(EventEncoder.encode(IdentityRegistry.KEYROTATED_EVENT));
        filter.addSingleTopic(id.hex());
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> result : chain.send(chain.web3j().ethGetLogs(filter)).getLogs()) {
            logs.add((Log) result.get());
        }
        return logs;
    }

    /** The new key's hash from the event's data (keyIndex, keyHash, validUntil). */
    private static String eventKeyHash(Log log) {
        String data = Numeric.cleanHexPrefix(log.getData());
        return data.length() >= 128 ? "0x" + data.substring(64, 128) : "";
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Object> decode(String data) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : ROTATE_TYPES) {
            try {
                refs.add((TypeReference) TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return FunctionReturnDecoder.decode(data, refs).stream().map(t -> (Object) t.getValue()).toList();
    }

    private static PublicKey key(PeerId id, byte[] raw) {
        try {
            return PublicKey.fromBytes(raw);
        } catch (MalformedKeyException e) {
            throw invalid(id, "a rotation carries a key that is not a valid secp256k1 point");
        }
    }

    private static void requireSigner(PeerId id, byte[] digest, byte[] signature, PublicKey expected, int rotation) {
        try {
            if (Signatures.recover(digest, signature).equals(expected)) {
                return;
            }
        } catch (InvalidSignatureException e) {
            // reported below
        }
        throw invalid(id, "rotation " + rotation + " is not signed by the keys it claims");
    }

    private static RegistryException invalid(PeerId id, String why) {
        return new RegistryException("cannot verify the key history of identity " + id + ": " + why);
    }
}
