package dev.peerkey.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.ChainException;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.it.RelayContract;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import dev.peerkey.chain.NodeKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint40;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.DefaultGasProvider;

/** The registry client against each real node (Hardhat, Anvil, Ganache): every rule and every rejection. */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class RegistryIT {
    private static final long SELF_REGISTER_GAS_LIMIT = 72_000;
    private static final long RELAYED_REGISTER_GAS_LIMIT = 80_000;

    /** A registry with a recovery key costs at most this much more than one without. */
    private static final long RECOVERY_KEY_GAS_BUDGET = 25_000;
    /** The recovery delay of {@link #quick}: short, and reached by mining blocks (1 s each), not by waiting. */
    private static final Duration QUICK_DELAY = Duration.ofSeconds(10);

    private static TestChain node;
    private static Registry registry;
    /** A registry whose recoveries complete after {@link #QUICK_DELAY}. */
    private static Registry quick;
    private static IdentityKey relayer;

    private final Instant yearAhead = Instant.now().plus(Duration.ofDays(365));

    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    @BeforeParameterizedClassInvocation
    static void startChain(NodeKind kind) {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), message -> { }).registry();
        relayer = node.fundedKey();
        quick = Registry.deploy(node.chain(), relayer.credentials(), QUICK_DELAY, message -> { }).registry();
    }

    @AfterParameterizedClassInvocation
    static void stopChain() {
        node.close();
    }

    private static RevertException rejected(String errorName, org.junit.jupiter.api.function.Executable action) {
        RevertException e = assertThrows(RevertException.class, action);
        assertEquals(errorName, e.errorName(), e.getMessage());
        return e;
    }

    private IdentityKey registered() {
        IdentityKey key = node.fundedKey();
        registry.register(key, yearAhead);
        return key;
    }

    @Test
    void selfRegistrationStoresKeyAndTimestamps() {
        IdentityKey key = node.fundedKey();
        Instant before = Instant.now().minusSeconds(2);
        TxResult tx = registry.register(key, yearAhead);

        assertTrue(tx.gasUsed() <= SELF_REGISTER_GAS_LIMIT, "self registration used " + tx.gasUsed() + " gas");
        IdentityRecord record = registry.require(key.id());
        assertEquals(IdentityStatus.ACTIVE, record.status());
        assertEquals(key.publicKey(), record.publicKey());
        assertEquals(0, record.keyIndex());
        assertEquals(yearAhead.getEpochSecond(), record.validUntil().getEpochSecond());
        assertTrue(!record.registeredAt().isBefore(before), "registeredAt is block time");
        assertNull(record.revokedAt());
        assertEquals(1, record.nonce());
    }

    @Test
    void relayedRegistrationIsPaidByTheRelayer() {
        IdentityKey owner = IdentityKey.generate(); // holds no ether at all
        TxResult tx = registry.submit(registry.signRegistration(owner, yearAhead), relayer.credentials());

        assertTrue(tx.gasUsed() <= RELAYED_REGISTER_GAS_LIMIT, "relayed registration used " + tx.gasUsed() + " gas");
        assertEquals(owner.publicKey(), registry.require(owner.id()).publicKey());
        assertEquals(BigInteger.ZERO, node.chain().balance(owner.address()));
    }

    @Test
    void registeringATakenIdIsRefusedAndChangesNothing() {
        IdentityKey key = registered();
        IdentityRecord before = registry.require(key.id());
        rejected("AlreadyRegistered", () -> registry.register(key, yearAhead.plusSeconds(99)));
        assertEquals(before, registry.require(key.id()));
    }

    @Test
    void relayedSignatureByAnotherKeyIsRefused() {
        IdentityKey owner = IdentityKey.generate();
        IdentityKey impostor = IdentityKey.generate();
        RegistrationRequest honest = registry.signRegistration(owner, yearAhead);
        RegistrationRequest forged = new RegistrationRequest(owner.publicKey(), honest.validUntil(),
                honest.signedAt(), registry.signRegistration(impostor, yearAhead).signature());
        rejected("InvalidSignature", () -> registry.submit(forged, relayer.credentials()));
        assertTrue(registry.lookup(owner.id()).isEmpty());
    }

    @Test
    void replayedRegistrationSignatureIsRefusedOnTheSameRegistry() {
        IdentityKey owner = IdentityKey.generate();
        RegistrationRequest request = registry.signRegistration(owner, yearAhead);
        registry.submit(request, relayer.credentials());
        rejected("AlreadyRegistered", () -> registry.submit(request, relayer.credentials()));
    }

    @Test
    void signatureForAnotherDeploymentIsRefused() {
        Registry other = Registry.deploy(node.chain(), relayer.credentials(), message -> { }).registry();
        IdentityKey owner = IdentityKey.generate();
        RegistrationRequest forOther = other.signRegistration(owner, yearAhead);
        rejected("InvalidSignature", () -> registry.submit(forOther, relayer.credentials()));
        other.submit(forOther, relayer.credentials()); // valid where it was meant to go
        assertTrue(registry.lookup(owner.id()).isEmpty());
    }

    @Test
    void signatureForAnotherChainIdIsRefused() {
        IdentityKey owner = IdentityKey.generate();
        long signedAt = Instant.now().getEpochSecond();
        TypedData otherChain = new TypedData(node.chain().chainId() + 1, registry.address());
        byte[] signature = owner.signatureBytes(
                otherChain.register(owner.id().bytes(), null, yearAhead.getEpochSecond(), signedAt, 0));
        RegistrationRequest request = new RegistrationRequest(owner.publicKey(), yearAhead.getEpochSecond(),
                signedAt, signature);
        rejected("InvalidSignature", () -> registry.submit(request, relayer.credentials()));
    }

    @Test
    void staleAndFutureTimestampsAreRefused() {
        Registry slowClock = withClockOffset(Duration.ofHours(-2));
        Registry fastClock = withClockOffset(Duration.ofHours(2));
        IdentityKey key = node.fundedKey();
        rejected("StaleTimestamp", () -> slowClock.register(key, yearAhead));
        rejected("FutureTimestamp", () -> fastClock.register(key, yearAhead));
        rejected("StaleTimestamp", () ->
                registry.submit(slowClock.signRegistration(key, yearAhead), relayer.credentials()));
        assertTrue(registry.lookup(key.id()).isEmpty());
    }

    private Registry withClockOffset(Duration offset) {
        return Registry.at(node.chain(), registry.address(), message -> { },
                Clock.offset(Clock.system(ZoneOffset.UTC), offset));
    }

    @Test
    void validityEndInThePastIsRefused() {
        IdentityKey key = node.fundedKey();
        rejected("ValidityEndInPast", () -> registry.register(key, Instant.now().minusSeconds(60)));
        assertTrue(registry.lookup(key.id()).isEmpty());
    }

    @Test
    void malformedOrMismatchedKeysAreRefused() {
        IdentityKey key = node.fundedKey();
        IdentityRegistry raw = IdentityRegistry.load(registry.address(), node.chain().web3j(),
                new Transactor(node.chain(), key.credentials(), RegistryErrors.INSTANCE, m -> { }),
                new DefaultGasProvider());
        BigInteger until = BigInteger.valueOf(yearAhead.getEpochSecond());
        BigInteger now = BigInteger.valueOf(Instant.now().getEpochSecond());
        byte[] shortKey = java.util.Arrays.copyOf(key.publicKey().bytes(), 63);
        rejected("InvalidPublicKeyLength", () -> raw.register(key.id().bytes(), shortKey, until, now).send());
        byte[] otherKey = IdentityKey.generate().publicKey().bytes();
        RevertException mismatch = rejected("PublicKeyMismatch",
                () -> raw.register(key.id().bytes(), otherKey, until, now).send());
        assertTrue(mismatch.getMessage().contains("does not") || mismatch.getMessage().contains("not to the identity"));
        assertTrue(registry.lookup(key.id()).isEmpty());
    }

    @Test
    void rotationKeepsTheIdAndTheKeyHistory() throws InterruptedException {
        IdentityKey first = registered();
        PeerId id = first.id();
        Instant beforeRotation = registry.require(id).registeredAt();
        Thread.sleep(1100); // the next block gets a later timestamp
        IdentityKey second = IdentityKey.generate();
        registry.rotate(id, first, second, yearAhead);

        IdentityRecord record = registry.require(id);
        assertEquals(second.publicKey(), record.publicKey());
        assertEquals(1, record.keyIndex());
        List<KeyRecord> history = registry.keyHistory(id);
        assertEquals(2, history.size());
        assertEquals(first.publicKey(), history.get(0).publicKey());
        assertEquals(record.registeredAt(), history.get(0).retiredAt());
        assertEquals(first.publicKey(), registry.keyAt(id, beforeRotation).publicKey());
        assertEquals(second.publicKey(), registry.keyAt(id, record.registeredAt()).publicKey());
        rejected("NoKeyAt", () -> registry.keyAt(id, beforeRotation.minusSeconds(3600)));
    }

    @Test
    void rotateOrRevokeByANonOwnerIsRefused() {
        IdentityKey owner = registered();
        IdentityKey stranger = node.fundedKey();
        IdentityRecord before = registry.require(owner.id());
        rejected("InvalidSignature", () -> registry.rotate(owner.id(), stranger, IdentityKey.generate(), yearAhead));
        rejected("NotKeyOwner", () -> registry.revoke(owner.id(), stranger));
        rejected("InvalidSignature", () -> registry.revokeFor(owner.id(), stranger, relayer.credentials()));
        assertEquals(before, registry.require(owner.id()));
    }

    @Test
    void aReplayedRotationSignatureIsRefused() {
        IdentityKey owner = registered();
        long nonce = registry.require(owner.id()).nonce();
        IdentityKey next = IdentityKey.generate();
        long signedAt = Instant.now().getEpochSecond();
        TypedData typed = new TypedData(node.chain().chainId(), registry.address());
        byte[] digest = typed.rotateKey(owner.id().bytes(), Hash.sha3(next.publicKey().bytes()),
                yearAhead.getEpochSecond(), signedAt, nonce);
        IdentityRegistry raw = IdentityRegistry.load(registry.address(), node.chain().web3j(),
                new Transactor(node.chain(), relayer.credentials(), RegistryErrors.INSTANCE, m -> { }),
                new DefaultGasProvider());
        byte[] currentSig = owner.signatureBytes(digest);
        byte[] nextSig = next.signatureBytes(digest);
        BigInteger until = BigInteger.valueOf(yearAhead.getEpochSecond());
        org.junit.jupiter.api.function.Executable rotate = () -> raw.rotateKey(owner.id().bytes(),
                next.publicKey().bytes(), until, BigInteger.valueOf(signedAt), currentSig, nextSig).send();
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(rotate);
        rejected("InvalidSignature", rotate);
        assertEquals(1, registry.require(owner.id()).keyIndex());
    }

    @Test
    void everyActionOnARevokedIdentityIsRefused() {
        IdentityKey owner = registered();
        registry.revoke(owner.id(), owner);

        IdentityRecord record = registry.require(owner.id());
        assertEquals(IdentityStatus.REVOKED, record.status());
        assertTrue(record.revoked());
        rejected("IdentityRevoked", () -> registry.revoke(owner.id(), owner));
        rejected("IdentityRevoked", () -> registry.revokeFor(owner.id(), owner, relayer.credentials()));
        rejected("IdentityRevoked", () -> registry.rotate(owner.id(), owner, IdentityKey.generate(), yearAhead));
        rejected("AlreadyRegistered", () -> registry.register(owner, yearAhead));
        assertEquals(record, registry.require(owner.id()));
    }

    @Test
    void relayedRevocationWorks() {
        IdentityKey owner = IdentityKey.generate();
        registry.submit(registry.signRegistration(owner, yearAhead), relayer.credentials());
        registry.revokeFor(owner.id(), owner, relayer.credentials());
        assertTrue(registry.require(owner.id()).revoked());
    }

    @Test
    void unknownIdsAreDistinguishable() {
        PeerId unknown = IdentityKey.generate().id();
        assertTrue(registry.lookup(unknown).isEmpty());
        RegistryException e = assertThrows(RegistryException.class, () -> registry.require(unknown));
        assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        rejected("UnknownIdentity", () -> registry.keyAt(unknown, Instant.now()));
    }

    @Test
    void displayNamesAndAddressesResolveToIds() {
        IdentityKey key = registered();
        assertEquals(key.id(), registry.resolve(key.id().displayName().value(), 0).orElseThrow());
        assertEquals(key.id(), registry.resolve(key.id().address(), 0).orElseThrow());
        assertTrue(registry.resolve(IdentityKey.generate().id().displayName().value(), 0).isEmpty());
    }

    @Test
    void anUnreachableNodeIsAClearError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ChainException e = assertThrows(ChainException.class, () -> Chain.connect("http://127.0.0.1:" + closedPort));
        assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    }

    @Test
    void anAddressThatIsNotARegistryIsRefused() {
        IdentityKey plainAccount = node.fundedKey();
        RegistryException noCode = assertThrows(RegistryException.class,
                () -> Registry.at(node.chain(), plainAccount.address(), m -> { }));
        assertTrue(noCode.getMessage().contains("no contract"), noCode.getMessage());

        String stopOnly = deployRaw("0x6001600c60003960016000f300"); // runtime code: STOP
        RegistryException notRegistry = assertThrows(RegistryException.class,
                () -> Registry.at(node.chain(), stopOnly, m -> { }));
        assertTrue(notRegistry.getMessage().contains("not a peerkey identity registry"), notRegistry.getMessage());
    }

    private String deployRaw(String initCode) {
        Transactor transactor = new Transactor(node.chain(), relayer.credentials(), RegistryErrors.INSTANCE, m -> { });
        String hash = transactor.sendTransaction(null, null, null, initCode, BigInteger.ZERO, true)
                .getTransactionHash();
        return node.receipt(hash).getContractAddress();
    }

    @Test
    void bytesOfTheStoredKeyRoundTrip() {
        IdentityKey key = registered();
        assertArrayEquals(key.publicKey().bytes(), registry.require(key.id()).publicKey().bytes());
    }

    // ---------------------------------------------------------------- version 2: recovery key

    private IdentityKey registeredWithRecovery(Registry target, RecoveryKey recovery) {
        IdentityKey owner = node.fundedKey(); // funded: its own account sends its rotations
        target.submit(target.signRegistration(owner, yearAhead, recovery.address()), relayer.credentials());
        return owner;
    }

    /** Mines blocks (each at least a second later) until the identity's pending recovery is due. */
    private void mineUntilReady(Registry target, PeerId id) {
        Instant readyAt = target.recovery(id).readyAt().orElseThrow();
        while (Instant.ofEpochSecond(node.chain().send(node.chain().web3j()
                .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp()
                .longValueExact()).isBefore(readyAt)) {
            node.mine();
        }
    }

    @Test
    void aRecoveryKeyIsRegisteredVerifiedAndCostsAtMost25000GasMore() {
        IdentityKey plain = IdentityKey.generate();
        IdentityKey withRecovery = IdentityKey.generate();
        RecoveryKey recovery = RecoveryKey.generate();
        TxResult without = registry.submit(registry.signRegistration(plain, yearAhead, null), relayer.credentials());
        TxResult with = registry.submit(registry.signRegistration(withRecovery, yearAhead, recovery.address()),
                relayer.credentials());

        assertTrue(with.gasUsed() - without.gasUsed() <= RECOVERY_KEY_GAS_BUDGET,
                "a recovery key cost " + (with.gasUsed() - without.gasUsed()) + " gas more");
        RecoveryState state = registry.recovery(withRecovery.id());
        assertEquals(recovery.address(), state.recoveryAddress().orElseThrow());
        assertTrue(!state.pending() && state.pendingKeyHash().isEmpty());
        assertTrue(registry.recovery(plain.id()).recoveryAddress().isEmpty());
        assertTrue(registry.recovery(IdentityKey.generate().id()).recoveryAddress().isEmpty());
    }

    @Test
    void theRecoveryKeyRevokesAtOnceAfterAThiefRotated() {
        RecoveryKey recovery = RecoveryKey.generate();
        IdentityKey owner = registeredWithRecovery(registry, recovery);
        IdentityKey thief = IdentityKey.generate();
        registry.rotate(owner.id(), owner, thief, yearAhead); // the thief holds the owner's key
        rejected("NotKeyOwner", () -> registry.revoke(owner.id(), owner));

        registry.recoveryRevoke(owner.id(), recovery, relayer.credentials());
        IdentityRecord record = registry.require(owner.id());
        assertEquals(IdentityStatus.REVOKED, record.status());
        assertEquals(thief.publicKey(), record.publicKey()); // verified from the KeyRotated log
        rejected("IdentityRevoked", () -> registry.recoveryRevoke(owner.id(), recovery, relayer.credentials()));
        rejected("IdentityRevoked", () -> registry.rotate(owner.id(), thief, IdentityKey.generate(), yearAhead));
    }

    @Test
    void theRecoveryKeyMovesTheIdentityAfterTheDelayWhateverTheThiefDoes() {
        RecoveryKey recovery = RecoveryKey.generate();
        IdentityKey owner = registeredWithRecovery(quick, recovery);
        PeerId id = owner.id();
        IdentityKey thief = node.fundedKey();
        quick.rotate(id, owner, thief, yearAhead);

        IdentityKey fresh = IdentityKey.generate();
        quick.startRecovery(id, recovery, fresh.publicKey(), relayer.credentials());
        RecoveryState state = quick.recovery(id);
        assertArrayEquals(Hash.sha3(fresh.publicKey().bytes()), state.pendingKeyHash().orElseThrow());
        Instant readyAt = state.readyAt().orElseThrow();
        RevertException early = rejected("RecoveryNotReady",
                () -> quick.completeRecovery(id, fresh, yearAhead, relayer.credentials()));
        assertEquals("the recovery delay has not passed: the rotation can complete at " + readyAt,
                early.getMessage());

        // The thief rotates on meanwhile; the recovery stays as it was.
        IdentityKey thiefNext = node.fundedKey();
        quick.rotate(id, thief, thiefNext, yearAhead);
        assertEquals(readyAt, quick.recovery(id).readyAt().orElseThrow());

        mineUntilReady(quick, id);
        quick.completeRecovery(id, fresh, yearAhead, relayer.credentials());
        IdentityRecord record = quick.require(id);
        assertEquals(fresh.publicKey(), record.publicKey());
        assertEquals(3, record.keyIndex());
        assertEquals(4, quick.keyHistory(id).size()); // every key verified from its log
        assertTrue(quick.recovery(id).readyAt().isEmpty());
        rejected("InvalidSignature", () -> quick.rotate(id, thiefNext, IdentityKey.generate(), yearAhead));
        node.chain().fundFromDevAccount(fresh.address(), BigInteger.TEN.pow(17));
        quick.rotate(id, fresh, IdentityKey.generate(), yearAhead); // the owner's new key works
    }

    @Test
    void recoveryCanBeCancelledAndEveryMisuseIsRefused() {
        RecoveryKey recovery = RecoveryKey.generate();
        IdentityKey owner = registeredWithRecovery(quick, recovery);
        PeerId id = owner.id();
        IdentityKey fresh = IdentityKey.generate();

        rejected("NoPendingRecovery", () -> quick.cancelRecovery(id, recovery, relayer.credentials()));
        rejected("NoPendingRecovery", () -> quick.completeRecovery(id, fresh, yearAhead, relayer.credentials()));
        RegistryException wrongKey = assertThrows(RegistryException.class,
                () -> quick.startRecovery(id, RecoveryKey.generate(), fresh.publicKey(), relayer.credentials()));
        assertTrue(wrongKey.getMessage().contains("is not the one identity"), wrongKey.getMessage());

        // The recovery key's own signature, kept to be replayed later.
        long signedAt = Instant.now().getEpochSecond();
        TypedData typed = new TypedData(node.chain().chainId(), quick.address());
        byte[] newKeyHash = Hash.sha3(fresh.publicKey().bytes());
        byte[] startSignature = recovery.sign(typed.startRecovery(id.bytes(), newKeyHash, signedAt));
        IdentityRegistry raw = IdentityRegistry.load(quick.address(), node.chain().web3j(),
                new Transactor(node.chain(), relayer.credentials(), RegistryErrors.INSTANCE, m -> { }),
                new DefaultGasProvider());
        org.junit.jupiter.api.function.Executable start = () -> raw.startRecovery(id.bytes(), newKeyHash,
                BigInteger.valueOf(signedAt), startSignature).send();
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(start);
        rejected("RecoveryPending", start);
        rejected("RecoveryPending", () -> quick.startRecovery(id, recovery, fresh.publicKey(), relayer.credentials()));

        mineUntilReady(quick, id);
        rejected("RecoveryKeyMismatch",
                () -> quick.completeRecovery(id, IdentityKey.generate(), yearAhead, relayer.credentials()));
        quick.cancelRecovery(id, recovery, relayer.credentials());
        assertTrue(quick.recovery(id).readyAt().isEmpty());
        rejected("NoPendingRecovery", () -> quick.completeRecovery(id, fresh, yearAhead, relayer.credentials()));
        rejected("StaleRecovery", start); // a replayed start cannot come back after the cancellation
        assertEquals(owner.publicKey(), quick.require(id).publicKey());

        IdentityKey plain = registered();
        rejected("NoRecoveryKey", () -> registry.recoveryRevoke(plain.id(), recovery, relayer.credentials()));
        rejected("NoRecoveryKey",
                () -> registry.startRecovery(plain.id(), recovery, fresh.publicKey(), relayer.credentials()));
        rejected("UnknownIdentity", () -> registry.recoveryRevoke(IdentityKey.generate().id(), recovery,
                relayer.credentials()));
    }

    // ---------------------------------------------------------------- version 2: other rules

    @Test
    void aValidityEndBeyondTenYearsIsRefusedBeforeAndByTheContract() {
        IdentityKey key = node.fundedKey();
        Instant tooFar = Instant.now().plus(Registry.MAX_VALIDITY).plus(Duration.ofDays(1));
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> registry.register(key, tooFar),
                () -> registry.signRegistration(key, tooFar, null),
                () -> registry.completeRecovery(key.id(), key, tooFar, relayer.credentials()),
                () -> registry.register(key, Instant.ofEpochSecond(40_000_000L * 86_400)))) {
            RegistryException e = assertThrows(RegistryException.class, call);
            assertTrue(e.getMessage().contains("more than 3650 days ahead"), e.getMessage());
        }
        IdentityRegistry raw = IdentityRegistry.load(registry.address(), node.chain().web3j(),
                new Transactor(node.chain(), key.credentials(), RegistryErrors.INSTANCE, m -> { }),
                new DefaultGasProvider());
        rejected("ValidityEndTooFar", () -> raw.register(key.id().bytes(), key.publicKey().bytes(),
                BigInteger.valueOf(tooFar.getEpochSecond()), BigInteger.valueOf(Instant.now().getEpochSecond())).send());
        assertTrue(registry.lookup(key.id()).isEmpty());
    }

    @Test
    void aKeyOffTheCurveIsRefused() {
        // x = 5 has no curve point; the bytes hash to an ID whose account nobody controls.
        byte[] offCurve = new byte[64];
        offCurve[31] = 5;
        offCurve[63] = 7;
        byte[] id = Hash.sha3(offCurve);
        IdentityRegistry raw = IdentityRegistry.load(registry.address(), node.chain().web3j(),
                new Transactor(node.chain(), relayer.credentials(), RegistryErrors.INSTANCE, m -> { }),
                new DefaultGasProvider());
        rejected("InvalidPublicKey", () -> raw.registerFor(id, offCurve, BigInteger.valueOf(yearAhead.getEpochSecond()),
                BigInteger.valueOf(Instant.now().getEpochSecond()), "0x0000000000000000000000000000000000000000",
                new byte[65]).send());
    }

    @Test
    void aVersionOneRegistryIsRefused() throws IOException {
        String bytecode = new com.fasterxml.jackson.databind.ObjectMapper().readTree(TestChain.projectRoot()
                .resolve("artifacts/contracts/test/VersionOneRegistry.sol/VersionOneRegistry.json").toFile())
                .path("bytecode").asText();
        String old = deployRaw(bytecode);
        RegistryException e = assertThrows(RegistryException.class, () -> Registry.at(node.chain(), old, m -> { }));
        assertEquals("the registry at " + old + " is version 1; this client needs version 2: deploy a new one with"
                + " `peerkey deploy`", e.getMessage());
    }

    @Test
    void theRecoveryDelayIsWhatWasDeployed() {
        assertEquals(Registry.DEFAULT_RECOVERY_DELAY, registry.recoveryDelay());
        assertEquals(QUICK_DELAY, quick.recoveryDelay());
        RegistryException e = assertThrows(RegistryException.class, () -> Registry.deploy(node.chain(),
                relayer.credentials(), Duration.ofMillis(500), m -> { }));
        assertTrue(e.getMessage().contains("whole number of seconds"), e.getMessage());
    }

    /** The owner's signed rotation as calldata, as anyone watching the mempool sees it. */
    private String signedRotation(IdentityKey owner, IdentityKey next) {
        long signedAt = Instant.now().getEpochSecond();
        TypedData typed = new TypedData(node.chain().chainId(), registry.address());
        byte[] digest = typed.rotateKey(owner.id().bytes(), Hash.sha3(next.publicKey().bytes()),
                yearAhead.getEpochSecond(), signedAt, registry.require(owner.id()).nonce());
        return FunctionEncoder.encode(new Function("rotateKey", List.of(new Bytes32(owner.id().bytes()),
                new DynamicBytes(next.publicKey().bytes()), new Uint40(yearAhead.getEpochSecond()),
                new Uint40(signedAt), new DynamicBytes(owner.signatureBytes(digest)),
                new DynamicBytes(next.signatureBytes(digest))), List.of()));
    }

    @Test
    void aRotationFrontRunThroughARelayContractVerifiesForEveryone() {
        IdentityKey owner = registered();
        IdentityKey next = IdentityKey.generate();
        String rotation = signedRotation(owner, next);
        IdentityKey frontRunner = node.fundedKey();
        RelayContract relay = RelayContract.deploy(node, frontRunner);
        relay.forward(frontRunner, registry.address(), rotation, RegistryErrors.INSTANCE);

        IdentityRecord record = registry.require(owner.id()); // verified from the KeyRotated log
        assertEquals(next.publicKey(), record.publicKey());
        assertEquals(2, registry.keyHistory(owner.id()).size());
        // The owner's own submission of the same call now fails; the identity is as the owner signed it.
        rejected("InvalidSignature", () -> sendCall(owner, rotation));
        assertEquals(record, registry.require(owner.id()));
    }

    @Test
    void aRotationFrontRunByAPlainCopyVerifiesForEveryone() {
        IdentityKey owner = registered();
        IdentityKey next = IdentityKey.generate();
        String rotation = signedRotation(owner, next);
        sendCall(node.fundedKey(), rotation);
        assertEquals(next.publicKey(), registry.require(owner.id()).publicKey());
        rejected("InvalidSignature", () -> sendCall(owner, rotation));
    }

    private void sendCall(IdentityKey sender, String calldata) {
        Transactor transactor = new Transactor(node.chain(), sender.credentials(), RegistryErrors.INSTANCE, m -> { });
        node.receipt(transactor.sendTransaction(null, null, registry.address(), calldata, BigInteger.ZERO, false)
                .getTransactionHash());
    }
}
