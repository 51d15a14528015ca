package dev.peerkey.registry;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.CheckedContracts;
import dev.peerkey.chain.EvmFeatures;
import dev.peerkey.chain.Transactor;
import dev.peerkey.chain.WrapperCalls;
import dev.peerkey.identity.DisplayName;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.MalformedKeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple2;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.tuples.generated.Tuple7;
import org.web3j.tuples.generated.Tuple8;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * The peerkey identity registry (version 2) on one chain. Writes are signed by the key they
 * concern (or by the identity's recovery key); reads are verified: a key the node returns must
 * be a valid secp256k1 point, the first key must hash to the identity, and every later key must
 * be proven by the registry's logs (see {@link RotationChain}), so a lying node is an error,
 * not a fact.
 */
public final class Registry {
    /** How far ahead a key's validity end may lie (the contract's MAX_VALIDITY). */
    public static final Duration MAX_VALIDITY = Duration.ofDays(3650);
    /** The recovery delay {@code peerkey deploy} uses unless told otherwise. */
    public static final Duration DEFAULT_RECOVERY_DELAY = Duration.ofDays(3);
    private static final String NO_ADDRESS = "0x0000000000000000000000000000000000000000";
    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private final Chain chain;
    private final String address;
    private final TypedData typedData;
    private final Consumer<String> progress;
    private final Clock clock;
    private final IdentityRegistry reader;
    private static final String REGISTERED = EventEncoder.encode(IdentityRegistry.IDENTITYREGISTERED_EVENT);
    private Long deployedAt;

    private Registry(Chain chain, String address, Consumer<String> progress, Clock clock) {
        this.chain = chain;
        this.address = address;
        this.typedData = new TypedData(chain.chainId(), address);
        this.progress = progress;
        this.clock = clock;
        this.reader = IdentityRegistry.load(address, chain.web3j(),
                Transactor.readOnly(chain, RegistryErrors.INSTANCE), new DefaultGasProvider());
    }

    /**
     * Deploys a new registry with the default recovery delay ({@link #DEFAULT_RECOVERY_DELAY}),
     * paid by {@code deployer}.
     *
     * @return the registry and the block it was deployed in
     */
    public static Deployment deploy(Chain chain, Credentials deployer, Consumer<String> progress) {
        return deploy(chain, deployer, DEFAULT_RECOVERY_DELAY, progress);
    }

    /**
     * Deploys a new registry, paid by {@code deployer}.
     *
     * @param recoveryDelay how long a recovery waits before it can complete: whole seconds,
     *     from 1 second to 2^32 - 1 seconds
     * @return the registry and the block it was deployed in
     */
    public static Deployment deploy(Chain chain, Credentials deployer, Duration recoveryDelay,
                                    Consumer<String> progress) {
        if (recoveryDelay.isNegative() || recoveryDelay.isZero() || recoveryDelay.getNano() != 0
                || recoveryDelay.getSeconds() > MAX_UINT32) {
            throw new RegistryException("the recovery delay must be a whole number of seconds from 1 to "
                    + MAX_UINT32 + ", not " + recoveryDelay);
        }
        requireRunnable(chain);
        progress.accept("deploying the identity registry…");
        IdentityRegistry deployed = call(() -> IdentityRegistry.deploy(chain.web3j(),
                new Transactor(chain, deployer, RegistryErrors.INSTANCE, progress), new DefaultGasProvider(),
                BigInteger.valueOf(recoveryDelay.getSeconds())).send());
        TransactionReceipt receipt = deployed.getTransactionReceipt().orElseThrow();
        Registry registry = new Registry(chain, deployed.getContractAddress(), progress, Clock.systemUTC());
        return new Deployment(registry, TxResult.of(receipt));
    }

    /** A fresh deployment and the transaction that made it. */
    public record Deployment(Registry registry, TxResult tx) { }

    /**
     * Checks, sending nothing, that the node runs every opcode the registry's code uses (e.g. PUSH0).
     *
     * @throws dev.peerkey.chain.ChainException naming the missing opcodes and the upgrade that adds them
     */
    public static void requireRunnable(Chain chain) {
        EvmFeatures.requireSupport(chain, "the identity registry", IdentityRegistry.BINARY);
    }

    /** The registry at {@code address}, after checking that a peerkey registry lives there. */
    public static Registry at(Chain chain, String address, Consumer<String> progress) {
        return at(chain, address, progress, Clock.systemUTC());
    }

    static Registry at(Chain chain, String address, Consumer<String> progress, Clock clock) {
        if (!address.matches("0x[0-9a-fA-F]{40}")) {
            throw new RegistryException("registry address '" + address + "' is not a 20-byte hex address");
        }
        Registry registry = new Registry(chain, address, progress, clock);
        CheckedContracts.check(chain, "registry", address, () -> {
            if (!chain.hasCode(address)) {
                throw new RegistryException("no contract at " + address + " on " + chain.rpcUrl()
                        + ": deploy one with `peerkey deploy` or check --registry");
            }
            registry.checkIsRegistry();
            return address;
        });
        return registry;
    }

    private void checkIsRegistry() {
        Tuple7<byte[], String, String, BigInteger, String, byte[], List<BigInteger>> domain;
        try {
            domain = reader.eip712Domain().send();
        } catch (Exception e) {
            WrapperCalls.rethrowNodeFailure(e);
            throw notARegistry();
        }
        if (!TypedData.NAME.equals(domain.component2())) {
            throw notARegistry();
        }
        String version = domain.component3();
        if (!TypedData.VERSION.equals(version)) {
            // The node's string goes into a message: only a plain version number is shown.
            String shown = version != null && version.matches("[0-9A-Za-z.]{1,16}") ? version : "unknown";
            throw new RegistryException("the registry at " + address + " is version " + shown
                    + "; this client needs version " + TypedData.VERSION
                    + ": deploy a new one with `peerkey deploy`");
        }
    }

    private RegistryException notARegistry() {
        return new RegistryException("the contract at " + address + " is not a peerkey identity registry");
    }

    public String address() {
        return address;
    }

    public Chain chain() {
        return chain;
    }

    /** Registers {@code key}'s identity without a recovery key, sent and paid for by the key's own account. */
    public TxResult register(IdentityKey key, Instant validUntil) {
        checkValidUntil(validUntil);
        PeerId id = key.id();
        return transact(key.credentials(), contract -> contract.register(
                id.bytes(), key.publicKey().bytes(), seconds(validUntil), BigInteger.valueOf(now())).send());
    }

    /** The owner's half of a relayed registration without a recovery key. */
    public RegistrationRequest signRegistration(IdentityKey key, Instant validUntil) {
        return signRegistration(key, validUntil, null);
    }

    /**
     * The owner's half of a relayed registration: a signature anyone can submit (the owner too,
     * with {@link #submit}). A recovery key is registered only this way.
     *
     * @param recoveryAddressOrNull the recovery key's address, or null for none
     */
    public RegistrationRequest signRegistration(IdentityKey key, Instant validUntil, String recoveryAddressOrNull) {
        checkValidUntil(validUntil);
        String recovery = recoveryAddressOrNull == null ? null : checkedAddress(recoveryAddressOrNull);
        long signedAt = now();
        byte[] digest = typedData.register(key.id().bytes(), recovery, validUntil.getEpochSecond(), signedAt, 0);
        return new RegistrationRequest(key.publicKey(), validUntil.getEpochSecond(), signedAt, recovery,
                key.signatureBytes(digest));
    }

    /** Submits a signed registration (with or without a recovery key); {@code relayer} pays the gas. */
    public TxResult submit(RegistrationRequest request, Credentials relayer) {
        PeerId id = request.publicKey().id();
        return transact(relayer, contract -> contract.registerFor(id.bytes(), request.publicKey().bytes(),
                BigInteger.valueOf(request.validUntil()), BigInteger.valueOf(request.signedAt()),
                request.recoveryAddress().orElse(NO_ADDRESS), request.signature()).send());
    }

    /**
     * Replaces the identity's current key {@code current} with {@code next}; both sign,
     * the current key's account sends.
     */
    public TxResult rotate(PeerId id, IdentityKey current, IdentityKey next, Instant validUntil) {
        checkValidUntil(validUntil);
        long nonce = require(id).nonce();
        long signedAt = now();
        byte[] newKeyHash = Hash.sha3(next.publicKey().bytes());
        byte[] digest = typedData.rotateKey(id.bytes(), newKeyHash, validUntil.getEpochSecond(), signedAt, nonce);
        return transact(current.credentials(), contract -> contract.rotateKey(id.bytes(), next.publicKey().bytes(),
                seconds(validUntil), BigInteger.valueOf(signedAt),
                current.signatureBytes(digest), next.signatureBytes(digest)).send());
    }

    /** Revokes the identity for good, sent by its current key's account. */
    public TxResult revoke(PeerId id, IdentityKey current) {
        return transact(current.credentials(), contract -> contract.revoke(id.bytes()).send());
    }

    /** Revokes the identity with the current key's signature; {@code relayer} pays. */
    public TxResult revokeFor(PeerId id, IdentityKey current, Credentials relayer) {
        long nonce = require(id).nonce();
        long signedAt = now();
        byte[] signature = current.signatureBytes(typedData.revoke(id.bytes(), signedAt, nonce));
        return transact(relayer, contract -> contract.revokeFor(id.bytes(), BigInteger.valueOf(signedAt),
                signature).send());
    }

    /**
     * Revokes the identity at once with its recovery key, whoever holds the current key;
     * {@code payer} sends and pays.
     */
    public TxResult recoveryRevoke(PeerId id, RecoveryKey recovery, Credentials payer) {
        requireRecoveryKey(id, recovery);
        byte[] signature = recovery.sign(typedData.recoveryRevoke(id.bytes()));
        return transact(payer, contract -> contract.recoveryRevoke(id.bytes(), signature).send());
    }

    /**
     * Starts moving the identity to {@code newKey}; it can complete after {@link #recoveryDelay()}
     * with {@link #completeRecovery}. Only the recovery key can start or cancel it.
     */
    public TxResult startRecovery(PeerId id, RecoveryKey recovery, PublicKey newKey, Credentials payer) {
        requireRecoveryKey(id, recovery);
        byte[] newKeyHash = Hash.sha3(newKey.bytes());
        long signedAt = now();
        byte[] signature = recovery.sign(typedData.startRecovery(id.bytes(), newKeyHash, signedAt));
        return transact(payer, contract -> contract.startRecovery(id.bytes(), newKeyHash,
                BigInteger.valueOf(signedAt), signature).send());
    }

    /** Cancels the identity's pending recovery with its recovery key. */
    public TxResult cancelRecovery(PeerId id, RecoveryKey recovery, Credentials payer) {
        requireRecoveryKey(id, recovery);
        long signedAt = now();
        byte[] signature = recovery.sign(typedData.cancelRecovery(id.bytes(), signedAt));
        return transact(payer, contract -> contract.cancelRecovery(id.bytes(), BigInteger.valueOf(signedAt),
                signature).send());
    }

    /**
     * Completes the identity's pending recovery once its delay has passed: {@code newKey} (the
     * key the recovery named) signs and becomes the current key, whatever key was current.
     */
    public TxResult completeRecovery(PeerId id, IdentityKey newKey, Instant validUntil, Credentials payer) {
        checkValidUntil(validUntil);
        byte[] newKeyHash = Hash.sha3(newKey.publicKey().bytes());
        long signedAt = now();
        byte[] signature = newKey.signatureBytes(
                typedData.completeRecovery(id.bytes(), newKeyHash, validUntil.getEpochSecond(), signedAt));
        return transact(payer, contract -> contract.completeRecovery(id.bytes(), newKey.publicKey().bytes(),
                seconds(validUntil), BigInteger.valueOf(signedAt), signature).send());
    }

    /**
     * The identity's recovery key and pending recovery. The recovery address is reported only
     * when the identity's first key signed it (checked from the registration's logs).
     *
     * @throws RegistryException if the node's answer fails verification
     */
    public RecoveryState recovery(PeerId id) {
        Tuple3<String, byte[], BigInteger> r = call(() -> reader.recoveryOf(id.bytes()).send());
        String reported = r.component1();
        boolean reportedNone = reported == null || Numeric.toBigInt(reported).signum() == 0;
        boolean pending = r.component3().signum() != 0;
        if (lookup(id).isEmpty()) {
            if (!reportedNone || pending) {
                throw lyingNode(id, "it reports a recovery key for an identity it says is not registered");
            }
            return new RecoveryState(Optional.empty(), Optional.empty(), Optional.empty());
        }
        Optional<String> verified = new RotationChain(chain, address, typedData, deployedAt()).verifiedRecovery(id);
        if (!verified.map(v -> v.equalsIgnoreCase(reported)).orElse(reportedNone)) {
            throw lyingNode(id, "its recovery key is not the one its first key signed");
        }
        return new RecoveryState(verified.map(Registry::checksummed),
                pending ? Optional.of(r.component2()) : Optional.empty(),
                pending ? Optional.of(instant(r.component3())) : Optional.empty());
    }

    /** How long a recovery waits between its start and its completion. */
    public Duration recoveryDelay() {
        return Duration.ofSeconds(call(() -> reader.recoveryDelay().send()).longValueExact());
    }

    /** A clearer error than the contract's InvalidSignature when the wrong recovery key is used. */
    private void requireRecoveryKey(PeerId id, RecoveryKey recovery) {
        String registered = call(() -> reader.recoveryOf(id.bytes()).send()).component1();
        if (registered != null && Numeric.toBigInt(registered).signum() != 0
                && !registered.equalsIgnoreCase(recovery.address())) {
            throw new RegistryException("this recovery key (" + recovery.address() + ") is not the one identity "
                    + id + " registered (" + checksummed(registered) + ")");
        }
    }

    /**
     * The identity's current state, or empty if the ID was never registered.
     *
     * @throws RegistryException if the node's answer fails verification
     */
    public Optional<IdentityRecord> lookup(PeerId id) {
        Tuple8<BigInteger, byte[], BigInteger, BigInteger, BigInteger, BigInteger, BigInteger, BigInteger> r =
                call(() -> reader.lookup(id.bytes()).send());
        IdentityStatus status = IdentityStatus.fromContract(r.component1().intValueExact());
        if (status == IdentityStatus.UNKNOWN) {
            return Optional.empty();
        }
        int keyIndex = r.component3().intValueExact();
        PublicKey key = verifiedKey(id, r.component2());
        if (keyIndex == 0) {
            requireHashesToId(id, key);
        } else {
            List<RotationChain.VerifiedKey> keys = verifiedKeyChain(id);
            if (keys.size() != keyIndex + 1 || !keys.get(keyIndex).publicKey().equals(key)
                    || keys.get(keyIndex).validUntil() != r.component5().longValueExact()) {
                throw lyingNode(id, "its current key is not the end of the signed key history");
            }
        }
        return Optional.of(new IdentityRecord(id, status, key, keyIndex, instant(r.component4()),
                instant(r.component5()), instant(r.component6()), optionalInstant(r.component7()),
                r.component8().longValueExact()));
    }

    /** Like {@link #lookup(PeerId)}, but an unknown ID is an error. */
    public IdentityRecord require(PeerId id) {
        return lookup(id).orElseThrow(() -> new RegistryException("identity " + id + " is not registered"));
    }

    /** The identity's keys from its first key, each change checked against the signatures in its log. */
    private List<RotationChain.VerifiedKey> verifiedKeyChain(PeerId id) {
        PublicKey first = keyByIndex(id, 0).publicKey();
        requireHashesToId(id, first);
        return new RotationChain(chain, address, typedData, deployedAt()).verifiedKeys(id, first);
    }

    /** Every key the identity has had, oldest first. */
    public List<KeyRecord> keyHistory(PeerId id) {
        int count = call(() -> reader.keyCount(id.bytes()).send()).intValueExact();
        if (count == 0) {
            throw new RegistryException("identity " + id + " is not registered");
        }
        List<KeyRecord> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(keyByIndex(id, i));
        }
        List<RotationChain.VerifiedKey> verified = verifiedKeyChain(id);
        if (verified.size() != keys.size()) {
            throw lyingNode(id, "it reports " + keys.size() + " keys but " + verified.size() + " are signed");
        }
        for (KeyRecord key : keys) {
            RotationChain.VerifiedKey signed = verified.get(key.index());
            if (!signed.publicKey().equals(key.publicKey())
                    || signed.validUntil() != key.validUntil().getEpochSecond()) {
                throw lyingNode(id, "key " + key.index() + " is not in the signed key history");
            }
        }
        return keys;
    }

    /** The key that was valid for the identity at {@code time}. */
    public KeyRecord keyAt(PeerId id, Instant time) {
        Tuple2<BigInteger, byte[]> r = call(() -> reader.keyAt(id.bytes(), seconds(time)).send());
        KeyRecord key = keyByIndex(id, r.component1().intValueExact());
        if (!key.publicKey().equals(verifiedKey(id, r.component2()))) {
            throw lyingNode(id, "keyAt and keyByIndex disagree");
        }
        return key;
    }

    private KeyRecord keyByIndex(PeerId id, int index) {
        Tuple4<byte[], BigInteger, BigInteger, BigInteger> r =
                call(() -> reader.keyByIndex(id.bytes(), BigInteger.valueOf(index)).send());
        return new KeyRecord(index, verifiedKey(id, r.component1()), instant(r.component2()),
                instant(r.component3()), optionalInstant(r.component4()));
    }

    /**
     * The block the registry was deployed in, as the registry itself reports it ({@code deployedAt}):
     * where every scan of its logs starts, whoever deployed it. Asked once per registry object.
     */
    public synchronized long deployedAt() {
        if (deployedAt == null) {
            BigInteger block = call(() -> reader.deployedAt().send());
            if (block.signum() < 0 || block.bitLength() > 62) {
                throw new RegistryException("the node at " + chain.rpcUrl() + " gave a false answer: the registry's"
                        + " deployment block is " + block);
            }
            deployedAt = block.longValueExact();
        }
        return deployedAt;
    }

    /**
     * Finds the registered identity whose display name or (ID-derived) address is
     * {@code nameOrAddress}, with one indexed log query (the registration event carries both as
     * topics), read in pages from the registry's deployment block.
     *
     * @param fromBlock where to start if it is later than the deployment block (0: from it)
     */
    public Optional<PeerId> resolve(String nameOrAddress, long fromBlock) {
        String wanted = nameOrAddress.toLowerCase();
        boolean byAddress = wanted.matches("0x[0-9a-f]{40}");
        String nameTopic = byAddress ? null : nameTopic(DisplayName.parse(wanted));
        String keyTopic = byAddress ? "0x" + "0".repeat(24) + wanted.substring(2) : null;
        for (Log log : registrationLogs(fromBlock, nameTopic, keyTopic)) {
            PeerId id = registeredId(log);
            // The node chose the logs: only an ID that matches what was asked is an answer.
            if (id != null && (id.displayName().value().equals(wanted) || id.address().toLowerCase().equals(wanted))) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** All registered IDs, from the registration events since {@code fromBlock} (at the earliest the deployment block). */
    public List<PeerId> registeredIds(long fromBlock) {
        List<PeerId> ids = new ArrayList<>();
        for (Log log : registrationLogs(fromBlock, null, null)) {
            PeerId id = registeredId(log);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private List<Log> registrationLogs(long fromBlock, String nameTopicOrNull, String keyTopicOrNull) {
        return chain.logs().logs(Math.max(fromBlock, deployedAt()), chain.blockNumber(), (from, to) -> {
            EthFilter filter = new EthFilter(from, to, address);
            filter.addSingleTopic(REGISTERED);
            filter.addNullTopic();
            if (nameTopicOrNull == null) {
                filter.addNullTopic();
            } else {
                filter.addSingleTopic(nameTopicOrNull);
            }
            if (keyTopicOrNull != null) {
                filter.addSingleTopic(keyTopicOrNull);
            }
            return filter;
        });
    }

    /** The ID a registration log names, or null if the log is not one of this registry's registrations. */
    private PeerId registeredId(Log log) {
        List<String> topics = log.getTopics();
        if (log.isRemoved() || topics == null || topics.size() != 4 || !REGISTERED.equalsIgnoreCase(topics.get(0))
                || !address.equalsIgnoreCase(log.getAddress())) {
            return null;
        }
        try {
            return PeerId.parse(topics.get(1));
        } catch (MalformedKeyException e) {
            return null;
        }
    }

    /** The registration event's name topic: the 10 bytes a display name encodes, left-aligned in 32. */
    static String nameTopic(DisplayName name) {
        return Numeric.toHexString(java.util.Arrays.copyOf(name.prefixBytes(), 32));
    }

    /** Whether {@code text} names an identity by display name rather than ID or address. */
    public static boolean isDisplayName(String text) {
        return DisplayName.looksLike(text);
    }

    private PublicKey verifiedKey(PeerId id, byte[] raw) {
        try {
            return PublicKey.fromBytes(raw);
        } catch (MalformedKeyException e) {
            throw lyingNode(id, "it returned a key that is not a valid secp256k1 point");
        }
    }

    private void requireHashesToId(PeerId id, PublicKey firstKey) {
        if (!id.matches(firstKey)) {
            throw lyingNode(id, "its first key does not hash to the ID");
        }
    }

    private RegistryException lyingNode(PeerId id, String why) {
        return new RegistryException("the node at " + chain.rpcUrl() + " gave a false answer for identity "
                + id + ": " + why);
    }

    private IdentityRegistry load(Credentials sender) {
        return IdentityRegistry.load(address, chain.web3j(),
                new Transactor(chain, sender, RegistryErrors.INSTANCE, progress), new DefaultGasProvider());
    }

    private interface ContractCall<T> {
        T call(IdentityRegistry contract) throws Exception;
    }

    private TxResult transact(Credentials sender, ContractCall<TransactionReceipt> action) {
        IdentityRegistry contract = load(sender);
        return TxResult.of(call(() -> action.call(contract)));
    }

    private static <T> T call(WrapperCalls.Call<T> call) {
        return WrapperCalls.call(call, RegistryException.class,
                message -> new RegistryException("registry call failed: " + message));
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    /** Refuses, before any RPC, a validity end the contract would refuse for being too far ahead. */
    private void checkValidUntil(Instant validUntil) {
        Instant max = clock.instant().plus(MAX_VALIDITY);
        if (validUntil.isAfter(max)) {
            throw new RegistryException("the validity end " + validUntil + " is more than " + MAX_VALIDITY.toDays()
                    + " days ahead: choose one at or before " + max.truncatedTo(ChronoUnit.SECONDS));
        }
    }

    private static String checkedAddress(String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}") || Numeric.toBigInt(address).signum() == 0) {
            throw new RegistryException("recovery address '" + address + "' is not a non-zero 20-byte hex address");
        }
        return checksummed(address);
    }

    private static String checksummed(String address) {
        return Keys.toChecksumAddress(address);
    }

    private static BigInteger seconds(Instant time) {
        return BigInteger.valueOf(time.getEpochSecond());
    }

    private static Instant instant(BigInteger seconds) {
        return Instant.ofEpochSecond(seconds.longValueExact());
    }

    private static Instant optionalInstant(BigInteger seconds) {
        return seconds.signum() == 0 ? null : instant(seconds);
    }
}
