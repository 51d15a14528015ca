package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.NodeKind;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.transport.MessengerContract;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What time does to message requests, with real stores and a real node (Hardhat, Anvil, Ganache) whose clock moves
 * forward together with the clients' (so every signature stays fresh for the contract): a
 * request older than the Messenger's one-hour window is accepted by a new handshake from the
 * accepting side, carrying nothing of the request; an unanswered request is gone after 7 days.
 */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class RequestExpiryIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    /** The wall clock plus an offset the test moves forward. */
    private static final class MovingClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        /** Back to the wall clock, for a fresh node. */
        void reset() {
            offset = Duration.ZERO;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** The stores' key (the profiles' store.key would unwrap one like it). */
    private static final StoreKey STORE_KEY = StoreKey.random();

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Registry registry;
    private static MessengerContract messenger;
    private static final MovingClock clock = new MovingClock();
    /** Registered before any clock moves (a registration is signed with the wall clock). */
    private static final java.util.Map<String, IdentityKey> keys = new java.util.HashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        clock.reset();
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), registry.address(), m -> { })
                .messenger();
        for (String name : List.of("alice", "bob", "carol", "dan")) {
            IdentityKey key = node.fundedKey();
            registry.register(key, Instant.now().plus(Duration.ofDays(365)));
            keys.put(name, key);
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        node.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private record Side(ChatClient client, Store store) { }

    private Side side(String name) {
        IdentityKey key = keys.get(name);
        Store store = Store.open(dir.resolve(kind.option()).resolve(name).resolve(Store.FILE_NAME), STORE_KEY);
        IdentityKey mailboxAccount = node.fundedKey(); // pays the mailbox posts
        ChatClient client = new ChatClient(store, LocalIdentity.of(key), mailboxAccount::credentials, registry,
                messenger, clock,
                new ChatClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, () -> null), notice -> { });
        open.add(store);
        open.add(client);
        return new Side(client, store);
    }

    /** Moves the chain's clock and the clients' forward together. */
    private static void advance(Duration d) {
        node.increaseTime(d.toSeconds());
        node.mine();
        clock.advance(d);
    }

    private static List<Message> texts(Side side, Direction direction) {
        return side.store().inTransactionReturning(tx -> tx.messagesAfter(0, 1000)).stream()
                .filter(m -> m.kind() == MessageKind.TEXT && m.direction() == direction).toList();
    }

    @Test
    void acceptingARequestTooOldToAnswerStartsAFreshHandshakeCarryingNothingOfIt() {
        Side alice = side("alice");
        Side bob = side("bob");
        alice.client().sendInRequest(bob.client().id(), "hello from two hours ago");
        assertEquals(List.of(alice.client().id()), bob.client().sync().requests());
        advance(Duration.ofHours(2));

        ChatClient.Accepted accepted = bob.client().accept(alice.client().id());
        assertTrue(accepted.restarted(), "the Messenger would refuse an answer to it");
        assertEquals(1, accepted.messages());
        assertEquals(List.of("hello from two hours ago"), texts(bob, Direction.IN).stream().map(Message::text).toList(),
                "the first message is read, though the session comes from Bob's own request");
        assertTrue(bob.client().requests().isEmpty());

        // Bob is Alice's contact (she wrote to him), so she answers his request at once.
        assertEquals(1, alice.client().sync().answered());
        assertEquals(List.of(), texts(alice, Direction.IN), "Bob's request carried nothing");
        assertEquals(1, bob.client().sync().finished());
        alice.client().sync(); // Bob's key confirmation
        assertEquals(SessionStatus.ESTABLISHED, bob.client().session(alice.client().id()).orElseThrow().status());
        assertEquals(SessionStatus.ESTABLISHED, alice.client().session(bob.client().id()).orElseThrow().status());
        alice.client().send(bob.client().id(), "and now through the ratchet", null);
        bob.client().sync();
        assertEquals(2, texts(bob, Direction.IN).size());
    }

    @Test
    void anUnansweredRequestIsGoneAfterSevenDays() {
        Side carol = side("carol");
        Side dan = side("dan");
        carol.client().sendInRequest(dan.client().id(), "anyone?");
        dan.client().sync();
        assertEquals(1, dan.client().requests().size());
        advance(Duration.ofDays(6));
        assertEquals(1, dan.client().requests().size(), "still there after six days");
        advance(Duration.ofDays(1).plusMinutes(1));
        assertTrue(dan.client().requests().isEmpty(), "expired after seven");
        MessagingException e = org.junit.jupiter.api.Assertions.assertThrows(MessagingException.class,
                () -> dan.client().accept(carol.client().id()));
        assertTrue(e.getMessage().contains("no message request from"), e.getMessage());
        assertFalse(dan.client().sync().requests().contains(carol.client().id()), "not read again");
    }
}
