package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.NodeKind;
import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.FrontRunner;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.store.ContactStatus;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.MessengerContract;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A front-runner copies a handshake step of ours from the pool and lands it first, in the same
 * block (mining paused, then one block mined): our own transaction reverts, but the step on chain
 * is ours, and the chat clients notice it explicitly (the request's status; the accept event's
 * ephemeral key) and finish the handshake. An accept that is not ours is not taken for ours.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class HandshakeFrontRunIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static TestChain node;
    private static Registry registry;
    private static MessengerContract messenger;
    private static long startBlock;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> notices = new ArrayList<>();
    private IdentityKey alice;
    private IdentityKey bob;
    private ChatClient aliceClient;
    private ChatClient bobClient;
    private Store bobStore;

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        MessengerContract.Deployment deployment = MessengerContract.deploy(node.chain(),
                node.fundedKey().credentials(), registry.address(), m -> { });
        messenger = deployment.messenger();
        startBlock = deployment.tx().blockNumber();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    @BeforeEach
    void twoClients() {
        alice = registered();
        bob = registered();
        aliceClient = client("alice", alice, open("alice"));
        bobStore = open("bob");
        // Alice is a contact of Bob's, so his client answers her handshakes without asking him.
        bobStore.inTransaction(tx -> tx.setContactStatus(bob.id(), alice.id(), ContactStatus.CONTACT));
        bobClient = client("bob", bob, bobStore);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private IdentityKey registered() {
        IdentityKey key = node.fundedKey();
        registry.register(key, Instant.now().plus(Duration.ofDays(365)));
        return key;
    }

    private Store open(String name) {
        Store store = Store.open(dir.resolve(name).resolve(Store.FILE_NAME), StoreKey.random());
        open.add(store);
        return store;
    }

    private ChatClient client(String name, IdentityKey key, Store store) {
        IdentityKey mailboxAccount = node.fundedKey(); // pays the mailbox posts
        ChatClient client = new ChatClient(store, LocalIdentity.of(key), mailboxAccount::credentials, registry,
                messenger, Clock.systemUTC(),
                new ChatClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), startBlock, () -> null),
                notice -> notices.add(name + ": " + notice));
        open.add(0, client);
        return client;
    }

    private static SessionStatus status(ChatClient client, byte[] sessionId) {
        return client.sessionById(sessionId).map(SessionRecord::status).orElse(null);
    }

    /** Both sides end with the same established session, and a message goes through it. */
    private void assertSessionWorks(byte[] sessionId) {
        assertEquals(SessionStatus.ESTABLISHED, status(aliceClient, sessionId), notices::toString);
        assertEquals(SessionStatus.ESTABLISHED, status(bobClient, sessionId), notices::toString);
        aliceClient.send(bob.id(), "after the front-run", Transport.CHAIN);
        assertEquals(1, bobClient.sync().stored());
    }

    @Test
    void aRequestCopiedFromThePoolStaysOursAndTheHandshakeFinishes() throws Exception {
        FrontRunner.Outcome<ChatClient.AuthStarted> raced = FrontRunner.run(node, alice.address(),
                messenger.address(), node.fundedKey(), () -> aliceClient.startAuth(bob.id()));

        assertNull(raced.failure(), () -> "startAuth threw: " + raced.failure());
        assertFalse(raced.victim().isStatusOK(), "our own transaction reverted (RequestReplayed)");
        ChatClient.AuthStarted started = raced.result();
        assertNull(started.tx(), "no transaction of ours carried the request");
        assertTrue(aliceClient.awaitingAnswerFrom(bob.id()), "the pending handshake is kept");

        assertEquals(1, bobClient.sync().answered(), notices::toString);
        assertEquals(1, aliceClient.sync().finished(), notices::toString);
        bobClient.sync(); // the key confirmation
        assertSessionWorks(started.requestId());
    }

    @Test
    void anAcceptCopiedFromThePoolIsTakenAsOursAndTheSessionIsEstablished() throws Exception {
        ChatClient.AuthStarted started = aliceClient.startAuth(bob.id());
        FrontRunner.Outcome<ChatClient.SyncReport> raced = FrontRunner.run(node, bob.address(), messenger.address(),
                node.fundedKey(), () -> bobClient.sync());

        assertNull(raced.failure(), () -> "sync threw: " + raced.failure());
        assertFalse(raced.victim().isStatusOK(), "our own transaction reverted (AlreadyAccepted)");
        assertEquals(1, raced.result().answered());
        assertEquals(List.of(), raced.result().refused());
        assertEquals(SessionStatus.PENDING_INCOMING, status(bobClient, started.requestId()), "kept, not closed");

        assertEquals(1, aliceClient.sync().finished(), notices::toString);
        bobClient.sync(); // the key confirmation
        assertSessionWorks(started.requestId());
    }

    /** The check is explicit: an accept on chain with another ephemeral key is not ours, and the session closes. */
    @Test
    void anotherAcceptOfTheSameRequestIsNotTakenForOurs() {
        ChatClient.AuthStarted started = aliceClient.startAuth(bob.id());
        // Someone holding a copy of Bob's key answers Alice's request first, with its own ephemeral key.
        AuthRequest request = messenger.events(startBlock, messenger.latestBlock(), bob.id(), List.of()).stream()
                .filter(e -> e instanceof dev.peerkey.transport.ChainEvent.RequestEvent)
                .map(e -> ((dev.peerkey.transport.ChainEvent.RequestEvent) e).request())
                .reduce((first, second) -> second).orElseThrow();
        Acceptance theirs = new Handshake(messenger.domain()).accept(LocalIdentity.of(bob),
                LocalIdentity.of(alice).asPeer(), request, Instant.now(), null);
        messenger.acceptAuth(node.fundedKey().credentials(), request, theirs.accept());

        ChatClient.SyncReport report = bobClient.sync();
        assertEquals(0, report.answered());
        assertEquals(1, report.refused().size(), report::toString);
        assertTrue(report.refused().get(0).contains("has already been accepted"), report::toString);
        assertEquals(SessionStatus.CLOSED, status(bobClient, started.requestId()));
        assertArrayEquals(started.requestId(), request.requestId(messenger.domain()));
    }
}
