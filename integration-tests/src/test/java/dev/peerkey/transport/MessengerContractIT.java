package dev.peerkey.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.peerkey.chain.Chain;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.it.FrontRunner;
import dev.peerkey.it.TamperingProxy;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.RegistryException;
import dev.peerkey.registry.TxResult;
import dev.peerkey.transport.ChainEvent.AcceptEvent;
import dev.peerkey.transport.ChainEvent.PostEvent;
import dev.peerkey.transport.ChainEvent.RequestEvent;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The messenger client against each real node (Hardhat, Anvil, Ganache): deployment, the three
 * transactions, events, rejections. (Events of one sender in one block: {@link MessengerBlockOrderIT}.)
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class MessengerContractIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static final Endpoint ENDPOINT = Endpoint.parse("127.0.0.1:7000");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static TestChain node;
    private static Registry registry;
    private static MessengerContract.Deployment deployment;
    private static MessengerContract messenger;
    private static Handshake handshake;
    private static IdentityKey relayer;

    private final Instant yearAhead = Instant.now().plus(Duration.ofDays(365));

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        deployment = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), registry.address(),
                m -> { });
        messenger = deployment.messenger();
        handshake = new Handshake(messenger.domain());
        relayer = node.fundedKey();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    private IdentityKey registered() {
        IdentityKey key = node.fundedKey();
        registry.register(key, yearAhead);
        return key;
    }

    /** The peer as a client knows it: its key verified from the registry. */
    private static Peer peer(IdentityKey key) {
        return new Peer(key.id(), registry.require(key.id()).publicKey());
    }

    private static PendingHandshake start(IdentityKey initiator, IdentityKey responder) {
        return handshake.start(LocalIdentity.of(initiator), peer(responder), Instant.now(), ENDPOINT);
    }

    private static Acceptance accept(IdentityKey responder, IdentityKey initiator, AuthRequest request) {
        return handshake.accept(LocalIdentity.of(responder), peer(initiator), request, Instant.now(), ENDPOINT);
    }

    private static byte[] randomTag() {
        byte[] tag = new byte[MessengerContract.TAG_LENGTH];
        RANDOM.nextBytes(tag);
        return tag;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<ChainEvent> events(MessengerContract contract, long from, IdentityKey me, byte[]... tags) {
        return contract.events(from, contract.latestBlock(), me.id(), List.of(tags));
    }

    private static RevertException rejected(String errorName, Executable action) {
        RevertException e = assertThrows(RevertException.class, action);
        assertEquals(errorName, e.errorName(), e.getMessage());
        return e;
    }

    private static void assertOrdered(List<ChainEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            ChainEvent a = events.get(i - 1);
            ChainEvent b = events.get(i);
            assertTrue(a.block() < b.block() || a.block() == b.block() && a.logIndex() < b.logIndex(),
                    events::toString);
        }
    }

    @Test
    void aDeployedMessengerIsFoundByAddressAndAnythingElseIsRefused() throws Exception {
        assertTrue(deployment.tx().gasUsed() > 0 && deployment.tx().blockNumber() > 0);
        MessengerContract found = MessengerContract.at(node.chain(), messenger.address(), m -> { });
        assertEquals(messenger.address(), found.address());
        assertTrue(registry.address().equalsIgnoreCase(found.registryAddress()), found.registryAddress());
        assertEquals(messenger.domain(), found.domain());
        assertEquals(node.chain().chainId(), found.domain().chainId());
        Messenger wrapper = Messenger.load(messenger.address(), node.chain().web3j(),
                Transactor.readOnly(node.chain(), data -> new RevertException("revert", data)),
                new DefaultGasProvider());
        assertArrayEquals(wrapper.domainSeparator().send(), found.domain().domainSeparator());

        MessengerException notMessenger = assertThrows(MessengerException.class,
                () -> MessengerContract.at(node.chain(), registry.address(), m -> { }));
        assertEquals("the contract at " + registry.address() + " is not a peerkey messenger",
                notMessenger.getMessage());
        String account = relayer.address();
        MessengerException noCode = assertThrows(MessengerException.class,
                () -> MessengerContract.at(node.chain(), account, m -> { }));
        assertTrue(noCode.getMessage().startsWith("no contract at " + account), noCode.getMessage());
        MessengerException malformed = assertThrows(MessengerException.class,
                () -> MessengerContract.at(node.chain(), "0x1234", m -> { }));
        assertTrue(malformed.getMessage().contains("is not a 20-byte hex address"), malformed.getMessage());
        RegistryException noRegistry = assertThrows(RegistryException.class,
                () -> MessengerContract.deploy(node.chain(), relayer.credentials(), account, m -> { }));
        assertTrue(noRegistry.getMessage().startsWith("no contract at"), noRegistry.getMessage());
    }

    @Test
    void aHandshakeAndEnvelopesRoundTripThroughTheEvents() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        long from = messenger.latestBlock() + 1;
        PendingHandshake pending = start(alice, bob);
        byte[] requestId = pending.request().requestId(messenger.domain());
        assertEquals(RequestStatus.NONE, messenger.requestStatus(requestId));

        TxResult requested = messenger.requestAuth(relayer.credentials(), pending.request()); // anyone may submit
        assertTrue(requested.gasUsed() > 0);
        assertEquals(RequestStatus.PENDING, messenger.requestStatus(requestId));

        // Bob finds the request addressed to him and answers it.
        List<ChainEvent> bobSees = events(messenger, from, bob);
        assertEquals(1, bobSees.size(), bobSees::toString);
        RequestEvent request = assertInstanceOf(RequestEvent.class, bobSees.get(0));
        assertEquals(requested.blockNumber(), request.block());
        assertEquals(pending.request(), request.request());
        assertArrayEquals(requestId, request.requestId());
        Acceptance acceptance = accept(bob, alice, request.request());
        assertEquals(ENDPOINT, acceptance.keys().peerEndpoint().orElseThrow());

        // Alice's tag gets an envelope before and after the accept, so the two queries interleave.
        byte[] aliceTag = randomTag();
        byte[] otherTag = randomTag();
        TxResult before = messenger.post(bob.credentials(), aliceTag, utf8("before"));
        TxResult accepted = messenger.acceptAuth(bob.credentials(), pending.request(), acceptance.accept());
        TxResult after = messenger.post(bob.credentials(), aliceTag, utf8("after"));
        messenger.post(bob.credentials(), otherTag, utf8("for someone else"));
        assertEquals(RequestStatus.ACCEPTED, messenger.requestStatus(requestId));

        List<ChainEvent> aliceSees = events(messenger, from, alice, aliceTag);
        assertEquals(3, aliceSees.size(), aliceSees::toString);
        assertOrdered(aliceSees);
        PostEvent first = assertInstanceOf(PostEvent.class, aliceSees.get(0));
        assertEquals(before.blockNumber(), first.block());
        assertArrayEquals(aliceTag, first.tag());
        assertArrayEquals(utf8("before"), first.envelope());
        AcceptEvent accept = assertInstanceOf(AcceptEvent.class, aliceSees.get(1));
        assertEquals(accepted.blockNumber(), accept.block());
        assertEquals(acceptance.accept(), accept.accept());
        PostEvent last = assertInstanceOf(PostEvent.class, aliceSees.get(2));
        assertEquals(after.blockNumber(), last.block());
        assertArrayEquals(utf8("after"), last.envelope());

        SessionKeys aliceKeys = handshake.finish(pending, accept.accept());
        assertArrayEquals(acceptance.keys().sharedSecret(), aliceKeys.sharedSecret());
        assertEquals(ENDPOINT, aliceKeys.peerEndpoint().orElseThrow());

        // Tags filter the mailbox: none asked, none returned; more asked, more returned.
        assertEquals(List.of(accept), events(messenger, from, alice));
        assertEquals(4, events(messenger, from, alice, aliceTag, otherTag).size());
        // A range narrows the scan; an empty range scans nothing.
        assertEquals(List.of(accept), messenger.events(accepted.blockNumber(), accepted.blockNumber(), alice.id(),
                List.of(aliceTag)));
        assertEquals(List.of(), messenger.events(from + 100, from, alice.id(), List.of(aliceTag)));
    }

    @Test
    void aReplayedRequestIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        AuthRequest request = start(alice, bob).request();
        messenger.requestAuth(alice.credentials(), request);
        RevertException e = rejected("RequestReplayed", () -> messenger.requestAuth(relayer.credentials(), request));
        assertEquals("the messenger refused the auth request: request 0x"
                + HexFormat.of().formatHex(request.requestId(messenger.domain()))
                + " was already submitted", e.getMessage());
    }

    @Test
    void anAcceptForARequestNeverSubmittedIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        AuthRequest unsent = start(alice, bob).request();
        RevertException e = rejected("UnknownRequest",
                () -> messenger.acceptAuth(bob.credentials(), unsent, accept(bob, alice, unsent).accept()));
        assertTrue(e.getMessage().startsWith("the messenger refused the auth accept: there is no request 0x"),
                e.getMessage());
    }

    @Test
    void aSecondAcceptIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        AuthRequest request = start(alice, bob).request();
        messenger.requestAuth(alice.credentials(), request);
        messenger.acceptAuth(bob.credentials(), request, accept(bob, alice, request).accept());
        RevertException e = rejected("AlreadyAccepted",
                () -> messenger.acceptAuth(bob.credentials(), request, accept(bob, alice, request).accept()));
        assertTrue(e.getMessage().endsWith("has already been accepted"), e.getMessage());
    }

    @Test
    void aRequestToARevokedIdentityIsRefusedBeforeAnyGasIsSpent() {
        IdentityKey alice = registered();
        IdentityKey carol = registered();
        AuthRequest request = start(alice, carol).request();
        registry.revoke(carol.id(), carol);
        BigInteger balance = node.chain().balance(alice.address());
        RevertException e = rejected("IdentityRevoked", () -> messenger.requestAuth(alice.credentials(), request));
        assertEquals("the messenger refused the auth request: identity " + carol.id().hex() + " is revoked",
                e.getMessage());
        assertEquals(balance, node.chain().balance(alice.address()));
    }

    @Test
    void aRequestToAnUnregisteredIdentityIsRefused() {
        IdentityKey alice = registered();
        IdentityKey stranger = IdentityKey.generate();
        AuthRequest request = handshake.start(LocalIdentity.of(alice), LocalIdentity.of(stranger).asPeer(),
                Instant.now(), ENDPOINT).request();
        RevertException e = rejected("UnknownIdentity", () -> messenger.requestAuth(alice.credentials(), request));
        assertTrue(e.getMessage().endsWith("identity " + stranger.id().hex() + " is not registered"), e.getMessage());
    }

    @Test
    void aForgedOrStaleRequestIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        AuthRequest real = start(alice, bob).request();
        byte[] forgedSignature = IdentityKey.generate().signatureBytes(real.requestId(messenger.domain()));
        AuthRequest forged = AuthRequest.of(real.initiator(), real.responder(), real.ephemeralKey(),
                real.signedAtSeconds(), real.sealedPayload(), forgedSignature);
        RevertException e = rejected("InvalidSignature", () -> messenger.requestAuth(relayer.credentials(), forged));
        assertTrue(e.getMessage().contains("not by the current key of identity " + alice.id().hex()), e.getMessage());

        AuthRequest stale = handshake.start(LocalIdentity.of(alice), peer(bob),
                Instant.now().minus(Duration.ofHours(2)), ENDPOINT).request();
        RevertException old = rejected("StaleTimestamp", () -> messenger.requestAuth(alice.credentials(), stale));
        assertTrue(old.getMessage().endsWith("(check the clock)"), old.getMessage());
    }

    @Test
    void aMessengerOfAnotherVersionIsRefusedWithWhatToDo() throws Exception {
        String v1 = deployArtifact("contracts/test/MessengerV1Stub.sol/MessengerV1Stub.json");
        MessengerException e = assertThrows(MessengerException.class,
                () -> MessengerContract.at(node.chain(), v1, m -> { }));
        assertEquals("the Messenger at " + v1 + " is version 1; this client needs version 2: deploy a new one with"
                + " `peerkey deploy`", e.getMessage());
    }

    /** Deploys the creation code of a Hardhat artifact of this checkout; returns the contract's address. */
    private static String deployArtifact(String artifact) throws IOException {
        JsonNode json = new ObjectMapper().readTree(TestChain.projectRoot().resolve("artifacts").resolve(artifact)
                .toFile());
        Transactor deployer = new Transactor(node.chain(), relayer.credentials(),
                data -> new RevertException("revert", data), m -> { });
        String hash = deployer.sendTransaction(null, null, null, json.path("bytecode").asText(), BigInteger.ZERO,
                true).getTransactionHash();
        return node.receipt(hash).getContractAddress();
    }

    @Test
    void anAcceptOfARequestOlderThanAnHourIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        // Signed 59.5 minutes before the chain's time (which runs ahead of the wall clock on an
        // automining node): fresh enough to submit, and answerable for 30 more seconds.
        AuthRequest request = handshake.start(LocalIdentity.of(alice), peer(bob),
                chainTime().minusSeconds(3570), ENDPOINT).request();
        messenger.requestAuth(alice.credentials(), request);
        Acceptance answer = accept(bob, alice, request);
        node.increaseTime(60);
        node.mine();

        RevertException e = rejected("RequestExpired",
                () -> messenger.acceptAuth(bob.credentials(), request, answer.accept()));
        assertTrue(e.getMessage().startsWith("the messenger refused the auth accept: request 0x"
                + HexFormat.of().formatHex(request.requestId(messenger.domain())) + " was signed at "), e.getMessage());
        assertTrue(e.getMessage().endsWith("more than an hour ago, and can no longer be answered; the initiator"
                + " must start a new handshake"), e.getMessage());
        assertEquals(RequestStatus.PENDING, messenger.requestStatus(request.requestId(messenger.domain())));
    }

    private static Instant chainTime() {
        return Instant.ofEpochSecond(node.chain().send(node.chain().web3j().ethGetBlockByNumber(
                DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp().longValueExact());
    }

    @Test
    void anAcceptOfARequestWhoseInitiatorRotatedIsRefused() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        AuthRequest request = start(alice, bob).request();
        messenger.requestAuth(alice.credentials(), request);
        Acceptance answer = accept(bob, alice, request); // Bob checked the request against key #0
        IdentityKey alice2 = IdentityKey.generate();
        registry.rotate(alice.id(), alice, alice2, yearAhead);

        RevertException e = rejected("RequestSuperseded",
                () -> messenger.acceptAuth(bob.credentials(), request, answer.accept()));
        assertTrue(e.getMessage().endsWith("was made with a key the initiator has since replaced, so it can no"
                + " longer be answered; the initiator must start a new handshake with its current key"),
                e.getMessage());

        // A request made with the new key is answered.
        AuthRequest renewed = handshake.start(LocalIdentity.of(alice.id(), alice2), peer(bob), Instant.now(),
                ENDPOINT).request();
        messenger.requestAuth(relayer.credentials(), renewed);
        messenger.acceptAuth(bob.credentials(), renewed, accept(bob, alice, renewed).accept());
        assertEquals(RequestStatus.ACCEPTED, messenger.requestStatus(renewed.requestId(messenger.domain())));
    }

    @Test
    void anAcceptGivenForgedRequestFieldsNamesAnUnknownRequest() throws Exception {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        IdentityKey carol = registered();
        AuthRequest request = start(alice, bob).request();
        messenger.requestAuth(alice.credentials(), request);
        Acceptance answer = accept(bob, alice, request);
        // The client will not pair an accept with another request than the one it answers.
        AuthRequest other = start(carol, bob).request();
        assertThrows(IllegalArgumentException.class,
                () -> messenger.acceptAuth(bob.credentials(), other, answer.accept()));

        // Sent raw: the contract recomputes the ID from the fields given, and knows no such request.
        Messenger raw = Messenger.load(messenger.address(), node.chain().web3j(),
                new Transactor(node.chain(), bob.credentials(), new MessengerErrors("the auth accept"), m -> { }),
                new DefaultGasProvider());
        Messenger.AuthRequestFields forged = new Messenger.AuthRequestFields(request.initiator().bytes(),
                request.responder().bytes(), request.ephemeralKey(), BigInteger.valueOf(request.signedAtSeconds() + 1),
                org.web3j.crypto.Hash.sha3(request.sealedPayload()));
        byte[] forgedId = raw.hashAuthRequest(forged.initiator, forged.responder, forged.ephemeralKey,
                forged.signedAt, forged.payloadHash).send();
        RevertException e = rejected("UnknownRequest", () -> raw.acceptAuth(forged, answer.accept().ephemeralKey(),
                BigInteger.valueOf(answer.accept().signedAtSeconds()), answer.accept().sealedPayload(),
                answer.accept().signature()).send());
        assertEquals("the messenger refused the auth accept: there is no request 0x" + HexFormat.of().formatHex(forgedId)
                + " on this messenger", e.getMessage());
        assertEquals(RequestStatus.PENDING, messenger.requestStatus(request.requestId(messenger.domain())));
    }

    @Test
    void aRequestCopiedAndSubmittedFirstIsStillTheInitiators() throws Exception {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        IdentityKey mallory = node.fundedKey();

        // The copy lands first in an earlier block: Alice's own call is refused before any gas is spent.
        AuthRequest first = start(alice, bob).request();
        byte[] firstId = first.requestId(messenger.domain());
        TxResult copy = messenger.requestAuth(mallory.credentials(), first);
        BigInteger balance = node.chain().balance(alice.address());
        rejected("RequestReplayed", () -> messenger.requestAuth(alice.credentials(), first));
        assertEquals(balance, node.chain().balance(alice.address()));
        assertEquals(RequestStatus.PENDING, messenger.requestStatus(firstId));
        // The event is exactly Alice's request, so Bob answers it and Alice finishes with her own key.
        List<ChainEvent> bobSees = messenger.events(copy.blockNumber(), copy.blockNumber(), bob.id(), List.of());
        assertEquals(first, assertInstanceOf(RequestEvent.class, bobSees.get(0)).request());

        // The copy lands first in the same block: Alice's transaction is mined and reverts.
        PendingHandshake pending = start(alice, bob);
        AuthRequest second = pending.request();
        FrontRunner.Outcome<TxResult> raced = FrontRunner.run(node, alice.address(), messenger.address(), mallory,
                () -> messenger.requestAuth(alice.credentials(), second));
        assertInstanceOf(MessengerException.class, raced.failure());
        assertTrue(!raced.victim().isStatusOK(), "Alice's transaction reverted");
        byte[] secondId = second.requestId(messenger.domain());
        assertEquals(RequestStatus.PENDING, messenger.requestStatus(secondId));
        Acceptance answer = accept(bob, alice, second);
        TxResult accepted = messenger.acceptAuth(bob.credentials(), second, answer.accept());
        AcceptEvent event = assertInstanceOf(AcceptEvent.class, messenger.events(accepted.blockNumber(),
                accepted.blockNumber(), alice.id(), List.of()).get(0));
        assertArrayEquals(answer.keys().sharedSecret(), handshake.finish(pending, event.accept()).sharedSecret());
    }

    @Test
    void anAcceptCopiedAndSubmittedFirstCarriesTheRespondersKey() throws Exception {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        IdentityKey mallory = node.fundedKey();

        // The copy lands first in an earlier block.
        PendingHandshake pending = start(alice, bob);
        TxResult requested = messenger.requestAuth(alice.credentials(), pending.request());
        Acceptance answer = accept(bob, alice, pending.request());
        messenger.acceptAuth(mallory.credentials(), pending.request(), answer.accept());
        rejected("AlreadyAccepted",
                () -> messenger.acceptAuth(bob.credentials(), pending.request(), answer.accept()));
        AuthAccept onChain = messenger.acceptOf(pending.request(), requested.blockNumber()).orElseThrow();
        assertEquals(answer.accept(), onChain);
        assertArrayEquals(answer.keys().sharedSecret(), handshake.finish(pending, onChain).sharedSecret());

        // The copy lands first in the same block.
        PendingHandshake second = start(alice, bob);
        TxResult secondRequested = messenger.requestAuth(alice.credentials(), second.request());
        Acceptance secondAnswer = accept(bob, alice, second.request());
        FrontRunner.Outcome<TxResult> raced = FrontRunner.run(node, bob.address(), messenger.address(), mallory,
                () -> messenger.acceptAuth(bob.credentials(), second.request(), secondAnswer.accept()));
        assertInstanceOf(MessengerException.class, raced.failure());
        assertEquals(RequestStatus.ACCEPTED, messenger.requestStatus(second.request().requestId(messenger.domain())));
        assertArrayEquals(secondAnswer.accept().ephemeralKey(),
                messenger.acceptOf(second.request(), secondRequested.blockNumber()).orElseThrow().ephemeralKey());
        // An accept of another request is not taken for this one.
        assertTrue(messenger.acceptOf(start(alice, bob).request(), requested.blockNumber()).isEmpty());
    }

    @Test
    void anEmptyEnvelopeIsRefused() {
        IdentityKey alice = node.fundedKey();
        RevertException e = rejected("EmptyEnvelope",
                () -> messenger.post(alice.credentials(), randomTag(), new byte[0]));
        assertEquals("the messenger refused the envelope: the envelope is empty", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> messenger.post(alice.credentials(), new byte[31], utf8("x")));
        assertThrows(IllegalArgumentException.class, () -> messenger.requestStatus(new byte[31]));
    }

    @Test
    void eventsOfOtherIdentitiesAreNotReturned() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        IdentityKey carol = registered();
        IdentityKey dave = registered();
        byte[] aliceTag = randomTag();
        byte[] daveTag = randomTag();
        long from = messenger.latestBlock() + 1;

        AuthRequest carolToDave = start(carol, dave).request();
        messenger.requestAuth(carol.credentials(), carolToDave);
        messenger.acceptAuth(dave.credentials(), carolToDave, accept(dave, carol, carolToDave).accept());
        messenger.post(carol.credentials(), daveTag, utf8("for dave"));
        AuthRequest aliceToBob = start(alice, bob).request();
        messenger.requestAuth(alice.credentials(), aliceToBob);

        // Alice's own request is addressed to Bob: she sees nothing until he answers.
        assertEquals(List.of(), events(messenger, from, alice, aliceTag));
        List<ChainEvent> bobSees = events(messenger, from, bob);
        assertEquals(1, bobSees.size(), bobSees::toString);
        assertEquals(aliceToBob, assertInstanceOf(RequestEvent.class, bobSees.get(0)).request());
        List<ChainEvent> daveSees = events(messenger, from, dave, daveTag);
        assertEquals(2, daveSees.size(), daveSees::toString);
        assertEquals(carolToDave, assertInstanceOf(RequestEvent.class, daveSees.get(0)).request());
        assertInstanceOf(PostEvent.class, daveSees.get(1));
        List<ChainEvent> carolSees = events(messenger, from, carol);
        assertEquals(1, carolSees.size(), carolSees::toString);
        assertInstanceOf(AcceptEvent.class, carolSees.get(0));
    }

    @Test
    void malformedOrForeignLogsFromALyingNodeAreSkipped() {
        IdentityKey alice = registered();
        IdentityKey bob = registered();
        byte[] tag = randomTag();
        long from = messenger.latestBlock() + 1;
        messenger.requestAuth(alice.credentials(), start(alice, bob).request());
        for (int i = 0; i < 5; i++) {
            messenger.post(alice.credentials(), tag, utf8("envelope " + i));
        }

        try (TamperingProxy proxy = TamperingProxy.start(node.rpcUrl()); Chain lying = Chain.connect(proxy.url())) {
            Queue<String> reports = new ConcurrentLinkedQueue<>();
            MessengerContract throughProxy = MessengerContract.at(lying, messenger.address(), reports::add);
            proxy.tamper((method, answer) -> "eth_getLogs".equals(method) ? corruptLogs(answer) : answer);

            List<ChainEvent> bobSees = events(throughProxy, from, bob);
            assertEquals(List.of(), bobSees);
            List<ChainEvent> mailbox = events(throughProxy, from, bob, tag);
            assertEquals(1, mailbox.size(), mailbox::toString);
            assertArrayEquals(utf8("envelope 4"), assertInstanceOf(PostEvent.class, mailbox.get(0)).envelope());
            assertTrue(reports.stream().allMatch(r -> r.startsWith("ignoring a messenger log")), reports::toString);
            // The zeroed request twice (both queries ask for handshakes), then three envelopes; a
            // reorganised-away log is not an error.
            assertEquals(5, reports.size(), reports::toString);
        }
    }

    private static final String REQUESTED = EventEncoder.encode(Messenger.AUTHREQUESTED_EVENT);
    private static final String POSTED = EventEncoder.encode(Messenger.POSTED_EVENT);

    /**
     * A node's lies about logs: a request whose ephemeral key is zeroed; then, among the envelopes,
     * one with undecodable data, one from another contract, one under another tag, one reorganised
     * away, and one left intact.
     */
    private static String corruptLogs(String answer) {
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode root = json.readTree(answer);
            if (!(root.path("result") instanceof ArrayNode logs)) {
                return answer;
            }
            int post = 0;
            for (JsonNode entry : logs) {
                ObjectNode log = (ObjectNode) entry;
                String event = log.path("topics").path(0).asText();
                if (event.equals(REQUESTED)) {
                    String data = log.path("data").asText();
                    log.put("data", data.substring(0, 66) + "0".repeat(64) + data.substring(130));
                } else if (event.equals(POSTED)) {
                    switch (post++) {
                        case 0 -> log.put("data", "0xdead");
                        case 1 -> log.put("address", registry.address());
                        case 2 -> ((ArrayNode) log.path("topics")).set(1, TextNode.valueOf("0x" + "11".repeat(32)));
                        case 3 -> log.put("removed", true);
                        default -> { }
                    }
                }
            }
            return json.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
