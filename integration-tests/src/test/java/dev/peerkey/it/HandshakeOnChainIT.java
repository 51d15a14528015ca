package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.NodeKind;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.Peer;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.handshake.SessionKeys;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.Registry;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.RatchetKeyPair;
import dev.peerkey.transport.generated.Messenger;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * The building blocks of the messenger composed on each real node (Hardhat, Anvil, Ganache): a handshake
 * whose two steps are signed transactions the Messenger contract checks, each side
 * verifying the other from the chain's events and the registry, then a Double Ratchet
 * message through the on-chain mailbox.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class HandshakeOnChainIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static TestChain node;
    private static Registry registry;
    private static Messenger messenger;
    private static HandshakeTypedData domain;
    private static IdentityKey alice;
    private static IdentityKey bob;

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) throws Exception {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        messenger = Messenger.deploy(node.chain().web3j(), transactor(node.fundedKey()), new DefaultGasProvider(),
                registry.address()).send();
        domain = new HandshakeTypedData(node.chain().chainId(), messenger.getContractAddress());
        alice = node.fundedKey();
        bob = node.fundedKey();
        Instant yearAhead = Instant.now().plus(Duration.ofDays(365));
        registry.register(alice, yearAhead);
        registry.register(bob, yearAhead);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    private static Transactor transactor(IdentityKey sender) {
        return new Transactor(node.chain(), sender.credentials(),
                data -> new RevertException("revert", "the messenger rejected the call: " + data), m -> { });
    }

    private static Messenger as(IdentityKey sender) {
        return Messenger.load(messenger.getContractAddress(), node.chain().web3j(), transactor(sender),
                new DefaultGasProvider());
    }

    /** Logs of {@code event} whose first indexed topic is {@code topic}, as a client following the chain reads them. */
    private static List<Log> logs(Event event, byte[] topic) {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
                messenger.getContractAddress());
        filter.addSingleTopic(EventEncoder.encode(event));
        filter.addSingleTopic(Numeric.toHexString(topic));
        return node.chain().send(node.chain().web3j().ethGetLogs(filter)).getLogs().stream()
                .map(result -> (Log) ((EthLog.LogResult<?>) result).get()).toList();
    }

    private static Peer verifiedPeer(PeerId id) {
        return new Peer(id, registry.require(id).publicKey());
    }

    @Test
    void twoIdentitiesAuthenticateOnChainAndExchangeAMessageThroughTheMailbox() throws Exception {
        Handshake handshake = new Handshake(domain);

        // Alice knows only Bob's ID; his key comes from the registry, verified.
        PendingHandshake pending = handshake.start(LocalIdentity.of(alice), verifiedPeer(bob.id()), Instant.now(),
                Endpoint.parse("127.0.0.1:7000"));
        AuthRequest sent = pending.request();
        as(alice).requestAuth(sent.initiator().bytes(), sent.responder().bytes(), sent.ephemeralKey(),
                BigInteger.valueOf(sent.signedAtSeconds()), sent.sealedPayload(), sent.signature()).send();

        // Bob rebuilds the request from the event and checks Alice's signature himself.
        List<Log> requests = logs(Messenger.AUTHREQUESTED_EVENT, bob.id().bytes());
        assertEquals(1, requests.size());
        var r = Messenger.getAuthRequestedEventFromLog(requests.get(0));
        AuthRequest received = AuthRequest.of(PeerId.of(r.initiator), PeerId.of(r.responder), r.ephemeralKey,
                r.signedAt.longValueExact(), r.sealedPayload, r.signature);
        Peer initiator = verifiedPeer(received.initiator());
        received.verify(initiator.currentKey(), domain);
        assertArrayEquals(received.requestId(domain), r.requestId);
        Acceptance acceptance = handshake.accept(LocalIdentity.of(bob), initiator, received, Instant.now(), null);
        SessionKeys bobKeys = acceptance.keys();
        assertEquals("127.0.0.1:7000", bobKeys.peerEndpoint().orElseThrow().toString());

        AuthAccept accept = acceptance.accept();
        // The contract stores one slot per request: the accept names the request by its fields again.
        Messenger.AuthRequestFields answered = new Messenger.AuthRequestFields(received.initiator().bytes(),
                received.responder().bytes(), received.ephemeralKey(), BigInteger.valueOf(received.signedAtSeconds()),
                Hash.sha3(received.sealedPayload()));
        as(bob).acceptAuth(answered, accept.ephemeralKey(), BigInteger.valueOf(accept.signedAtSeconds()),
                accept.sealedPayload(), accept.signature()).send();

        // Alice rebuilds the accept from its event; finish() checks Bob's signature, the binding and key confirmation.
        var a = Messenger.getAuthAcceptedEventFromLog(logs(Messenger.AUTHACCEPTED_EVENT, alice.id().bytes()).get(0));
        SessionKeys aliceKeys = handshake.finish(pending, AuthAccept.of(a.requestId, PeerId.of(a.initiator),
                PeerId.of(a.responder), a.ephemeralKey, a.signedAt.longValueExact(), a.sealedPayload, a.signature));
        assertArrayEquals(bobKeys.sharedSecret(), aliceKeys.sharedSecret());
        assertArrayEquals(bobKeys.associatedData(), aliceKeys.associatedData());
        assertTrue(bobKeys.verifyInitiatorConfirmation(aliceKeys.initiatorConfirmation()));

        // A Double Ratchet message through the mailbox, addressed by a tag only Bob follows.
        DoubleRatchet aliceRatchet = DoubleRatchet.initiator(aliceKeys.sharedSecret(),
                aliceKeys.responderRatchetPublicKey(), aliceKeys.associatedData());
        DoubleRatchet bobRatchet = DoubleRatchet.responder(bobKeys.sharedSecret(),
                RatchetKeyPair.fromPrivateKey(bobKeys.responderRatchetPrivateKey()), bobKeys.associatedData());
        byte[] tag = Hash.sha3(bobKeys.transcriptHash());
        as(alice).post(tag, aliceRatchet.encrypt("hello Bob".getBytes(StandardCharsets.UTF_8))).send();
        var posted = Messenger.getPostedEventFromLog(logs(Messenger.POSTED_EVENT, tag).get(0));
        assertEquals("hello Bob", new String(bobRatchet.decrypt(posted.envelope), StandardCharsets.UTF_8));

        // The same signed request cannot be submitted twice.
        RevertException replay = assertThrows(RevertException.class, () -> as(alice).requestAuth(
                sent.initiator().bytes(), sent.responder().bytes(), sent.ephemeralKey(),
                BigInteger.valueOf(sent.signedAtSeconds()), sent.sealedPayload(), sent.signature()).send());
        assertTrue(replay.getMessage().contains("rejected"), replay.getMessage());
    }
}
