package dev.peerkey.registry;

import dev.peerkey.chain.Chain;
import dev.peerkey.identity.InvalidSignatureException;
import dev.peerkey.identity.MalformedKeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.identity.Signatures;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Rebuilds an identity's keys from the registry's logs alone, so neither the node nor whoever
 * submitted a transaction decides what counts: key 0 hashes to the ID; each later key k comes
 * from exactly one {@code KeyRotated} log (key k-1 and key k both signed the rotation) or one
 * {@code KeyRecovered} log (the recovery key, committed to by key 0's signature in the
 * {@code RecoveryKeySet} log, started it and key k accepted it). No transaction is read, so a
 * rotation submitted through any contract verifies like a direct one.
 */
final class RotationChain {
    private static final String REGISTERED = EventEncoder.encode(IdentityRegistry.IDENTITYREGISTERED_EVENT);
    private static final String RECOVERY_KEY_SET = EventEncoder.encode(IdentityRegistry.RECOVERYKEYSET_EVENT);
    private static final String ROTATED = EventEncoder.encode(IdentityRegistry.KEYROTATED_EVENT);
    private static final String RECOVERED = EventEncoder.encode(IdentityRegistry.KEYRECOVERED_EVENT);
    private static final BigInteger LOW_255_BITS = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE);

    /** A key of the identity with the validity end its log gives. */
    record VerifiedKey(PublicKey publicKey, long validUntil) { }

    private final Chain chain;
    private final String registry;
    private final TypedData typedData;
    /** The registry's deployment block: no log of it lies before. */
    private final long fromBlock;

    RotationChain(Chain chain, String registry, TypedData typedData, long fromBlock) {
        this.chain = chain;
        this.registry = registry;
        this.typedData = typedData;
        this.fromBlock = fromBlock;
    }

    /**
     * The identity's keys, oldest first, each proven by the logs.
     *
     * @param firstKey key 0 as the node reports it; it must hash to the ID
     * @throws RegistryException when a log is missing, duplicated or not signed as the contract demands
     */
    List<VerifiedKey> verifiedKeys(PeerId id, PublicKey firstKey) {
        if (!id.matches(firstKey)) {
            throw invalid(id, "its first key does not hash to the ID");
        }
        Logs logs = logs(id);
        long firstValidUntil = registeredValidUntil(id, logs);
        Optional<String> recovery = verifiedRecovery(id, logs, firstValidUntil);
        List<VerifiedKey> keys = new ArrayList<>(List.of(new VerifiedKey(firstKey, firstValidUntil)));
        for (Log log : logs.changes().values()) {
            int index = keys.size();
            PublicKey previous = keys.get(index - 1).publicKey();
            keys.add(ROTATED.equals(topic0(log))
                    ? rotation(id, log, index, previous)
                    : recovery(id, log, index, recovery.orElseThrow(() ->
                            invalid(id, "key " + index + " claims a recovery, but the identity has no verified recovery key"))));
        }
        return keys;
    }

    /**
     * The recovery address key 0 committed to, if any.
     *
     * @throws RegistryException when a commitment log is present but does not verify
     */
    Optional<String> verifiedRecovery(PeerId id) {
        Logs logs = logs(id);
        return verifiedRecovery(id, logs, registeredValidUntil(id, logs));
    }

    private VerifiedKey rotation(PeerId id, Log log, int index, PublicKey previous) {
        // keyIndex, newPublicKey, validUntil, signedAt, nonce, currentKeySignature, newKeySignature
        List<Object> f = decode(id, log, "uint32", "bytes", "uint40", "uint40", "uint32", "bytes", "bytes");
        requireIndex(id, f, index);
        // Registration consumes nonce 0 and every key change one more (a relayed revocation ends
        // the identity), so the rotation to key k was signed with nonce k.
        if (longOf(f.get(4)) != index) {
            throw invalid(id, "rotation " + index + " claims nonce " + f.get(4));
        }
        PublicKey next = key(id, (byte[]) f.get(1), index);
        long validUntil = longOf(f.get(2));
        byte[] digest = typedData.rotateKey(id.bytes(), Hash.sha3(next.bytes()), validUntil, longOf(f.get(3)), index);
        requireSigner(id, digest, (byte[]) f.get(5), previous, "rotation " + index + " is not signed by key " + (index - 1));
        requireSigner(id, digest, (byte[]) f.get(6), next, "rotation " + index + " is not signed by the new key");
        return new VerifiedKey(next, validUntil);
    }

    private VerifiedKey recovery(PeerId id, Log log, int index, String recoveryAddress) {
        // keyIndex, newPublicKey, validUntil, signedAt, recoverySignedAt, recoverySignature, newKeySignature
        List<Object> f = decode(id, log, "uint32", "bytes", "uint40", "uint40", "uint40", "bytes", "bytes");
        requireIndex(id, f, index);
        PublicKey next = key(id, (byte[]) f.get(1), index);
        byte[] keyHash = Hash.sha3(next.bytes());
        long validUntil = longOf(f.get(2));
        byte[] started = typedData.startRecovery(id.bytes(), keyHash, longOf(f.get(4)));
        String starter = signerAddress(id, started, (byte[]) f.get(5),
                "recovery " + index + " carries a malformed recovery signature");
        if (!starter.equalsIgnoreCase(recoveryAddress)) {
            throw invalid(id, "recovery " + index + " is not signed by the identity's recovery key");
        }
        byte[] completed = typedData.completeRecovery(id.bytes(), keyHash, validUntil, longOf(f.get(3)));
        requireSigner(id, completed, (byte[]) f.get(6), next, "recovery " + index + " is not signed by the new key");
        return new VerifiedKey(next, validUntil);
    }

    /** The validity end of key 0, from the one registration log. */
    private static long registeredValidUntil(PeerId id, Logs logs) {
        if (logs.registered().size() != 1) {
            throw invalid(id, logs.registered().isEmpty() ? "the node has no registration event for it"
                    : "the node reports " + logs.registered().size() + " registration events");
        }
        // Data: submitter, validUntil (the name and key address are topics).
        return longOf(decode(id, logs.registered().get(0), "address", "uint40").get(1));
    }

    private Optional<String> verifiedRecovery(PeerId id, Logs logs, long validUntil) {
        if (logs.recoveryKeySet().isEmpty()) {
            return Optional.empty();
        }
        if (logs.recoveryKeySet().size() > 1) {
            throw invalid(id, "the node reports " + logs.recoveryKeySet().size() + " recovery key commitments");
        }
        Log log = logs.recoveryKeySet().get(0);
        if (!log.getTransactionHash().equalsIgnoreCase(logs.registered().get(0).getTransactionHash())) {
            throw invalid(id, "its recovery key commitment is not part of its registration");
        }
        // recovery, signedAt, r, vs (EIP-2098: v - 27 in the top bit of vs)
        List<Object> f = decode(id, log, "address", "uint40", "bytes32", "bytes32");
        String recovery = (String) f.get(0);
        BigInteger vs = new BigInteger(1, (byte[]) f.get(3));
        byte[] signature = new byte[65];
        System.arraycopy((byte[]) f.get(2), 0, signature, 0, 32);
        System.arraycopy(Numeric.toBytesPadded(vs.and(LOW_255_BITS), 32), 0, signature, 32, 32);
        signature[64] = (byte) (27 + (vs.testBit(255) ? 1 : 0));
        byte[] digest = typedData.register(id.bytes(), recovery, validUntil, longOf(f.get(1)), 0);
        PublicKey signer;
        try {
            signer = Signatures.recover(digest, signature);
        } catch (InvalidSignatureException e) {
            throw invalid(id, "its recovery key commitment carries a malformed signature");
        }
        if (!id.matches(signer)) {
            throw invalid(id, "its recovery key commitment is not signed by its first key");
        }
        return Optional.of(recovery);
    }

    /** The identity's registration, recovery-commitment and key-change logs, in chain order. */
    private record Logs(List<Log> registered, List<Log> recoveryKeySet, TreeMap<Long, Log> changes) { }

    private Logs logs(PeerId id) {
        List<Log> all = new ArrayList<>(chain.logs().logs(fromBlock, chain.blockNumber(), (from, to) -> {
            EthFilter filter = new EthFilter(from, to, registry);
            filter.addOptionalTopics(REGISTERED, RECOVERY_KEY_SET, ROTATED, RECOVERED);
            filter.addSingleTopic(id.hex());
            return filter;
        }));
        all.sort(Comparator.comparing(Log::getBlockNumber).thenComparing(Log::getLogIndex));
        List<Log> registered = new ArrayList<>();
        List<Log> recoveryKeySet = new ArrayList<>();
        TreeMap<Long, Log> changes = new TreeMap<>();
        for (Log log : all) {
            if (log.getTopics().size() < 2 || !log.getTopics().get(1).equalsIgnoreCase(id.hex())
                    || !registry.equalsIgnoreCase(log.getAddress())) {
                throw invalid(id, "the node returned a log that does not belong to it");
            }
            String topic = topic0(log);
            if (REGISTERED.equals(topic)) {
                registered.add(log);
            } else if (RECOVERY_KEY_SET.equals(topic)) {
                recoveryKeySet.add(log);
            } else if (ROTATED.equals(topic) || RECOVERED.equals(topic)) {
                long index = longOf(decode(id, log, "uint32").get(0));
                if (changes.put(index, log) != null) {
                    throw invalid(id, "the node reports two key changes to key " + index);
                }
            } else {
                throw invalid(id, "the node returned a log it did not ask for");
            }
        }
        // Keys 1..n, each once.
        if (!changes.isEmpty() && (changes.firstKey() != 1 || changes.lastKey() != changes.size())) {
            throw invalid(id, "its key changes are not numbered 1 to " + changes.size());
        }
        return new Logs(registered, recoveryKeySet, changes);
    }

    private static void requireIndex(PeerId id, List<Object> fields, int index) {
        if (longOf(fields.get(0)) != index) {
            throw invalid(id, "key change " + index + " is logged as key " + fields.get(0));
        }
    }

    private static String topic0(Log log) {
        return log.getTopics().isEmpty() ? "" : log.getTopics().get(0).toLowerCase();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Object> decode(PeerId id, Log log, String... types) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : types) {
            try {
                refs.add((TypeReference) TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        List<Type> decoded;
        try {
            decoded = FunctionReturnDecoder.decode(log.getData(), refs);
        } catch (RuntimeException e) {
            decoded = List.of();
        }
        if (decoded.size() != types.length) {
            throw invalid(id, "the node returned a log whose data does not decode");
        }
        return decoded.stream().map(t -> (Object) t.getValue()).toList();
    }

    private static long longOf(Object value) {
        return ((BigInteger) value).longValueExact();
    }

    private static PublicKey key(PeerId id, byte[] raw, int index) {
        try {
            return PublicKey.fromBytes(raw);
        } catch (MalformedKeyException e) {
            throw invalid(id, "key " + index + " in its log is not a valid secp256k1 point");
        }
    }

    private static void requireSigner(PeerId id, byte[] digest, byte[] signature, PublicKey expected, String why) {
        try {
            if (Signatures.recover(digest, signature).equals(expected)) {
                return;
            }
        } catch (InvalidSignatureException e) {
            // reported below
        }
        throw invalid(id, why);
    }

    private static String signerAddress(PeerId id, byte[] digest, byte[] signature, String why) {
        try {
            return Signatures.recover(digest, signature).address();
        } catch (InvalidSignatureException e) {
            throw invalid(id, why);
        }
    }

    private static RegistryException invalid(PeerId id, String why) {
        return new RegistryException("cannot verify the key history of identity " + id + ": " + why);
    }
}
