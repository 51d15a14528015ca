package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.handshake.Endpoint;
import dev.peerkey.identity.PeerId;
import dev.peerkey.session.DoubleRatchet;
import dev.peerkey.session.RatchetKeyPair;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.direct.DirectConnection;
import dev.peerkey.transport.direct.DirectLimits;
import dev.peerkey.transport.direct.DirectServer;
import dev.peerkey.transport.direct.Frame;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duplicates, the oracle and refusals, with two real stores and Bob's real direct listener on
 * 127.0.0.1; the chain is not involved (Alice's mailbox is absent: a fallback would fail loudly).
 * The two-process versions against a real node are in the integration tests (DirectAbuseIT).
 */
class DirectAbuseTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Inbound.SessionGate ANYONE = session -> { };
    /** Limits these tests never reach: they are about what Bob answers (DirectLimitsTest tests the limits). */
    private static final DirectLimits ROOMY = new DirectLimits(64, 1_024, 1_000_000, 1_000_000, 1 << 30, 1 << 30,
            1_000_000, 1_000_000, Duration.ofMinutes(2), Duration.ofSeconds(10));

    @TempDir
    Path dir;

    private final PeerId aliceId = PeerId.of(random(32));
    private final PeerId bobId = PeerId.of(random(32));
    private final byte[] sessionId = random(32);
    private final StoreKey bobKey = StoreKey.random();
    private final byte[] aliceInbox = random(32);
    private final byte[] bobInbox = random(32);
    private final AtomicReference<Inbound.SessionGate> bobGate = new AtomicReference<>(ANYONE);
    private final List<String> bobNotices = new ArrayList<>();

    private Store aliceStore;
    private Store bobStore;
    private DirectServer bobServer;
    private DirectLinks aliceLinks;
    private Outbound alice;

    @BeforeEach
    void establish() {
        byte[] secret = random(32);
        byte[] ad = "alice|bob|transcript".getBytes(StandardCharsets.US_ASCII);
        RatchetKeyPair bobKey = RatchetKeyPair.generate();
        aliceStore = Store.open(dir.resolve("alice.db"), StoreKey.random());
        bobStore = bobStore();
        bobStore.inTransaction(tx -> {
            tx.saveSession(sessionId, bobId, aliceId, SessionStatus.ESTABLISHED,
                    DoubleRatchet.responder(secret, bobKey, ad).toBytes(), null);
            tx.saveRoute(new SessionRoute(sessionId, bobInbox, aliceInbox, null, null));
        });
        bobServer = DirectServer.start(new InetSocketAddress("127.0.0.1", 0), bobAnswers()::answer, line -> { },
                ROOMY);
        aliceStore.inTransaction(tx -> {
            tx.saveSession(sessionId, aliceId, bobId, SessionStatus.ESTABLISHED,
                    DoubleRatchet.initiator(secret, bobKey.publicKey(), ad).toBytes(),
                    Endpoint.of("127.0.0.1", bobServer.port()).toString());
            tx.saveRoute(new SessionRoute(sessionId, aliceInbox, bobInbox, null, null));
        });
        aliceLinks = new DirectLinks(BOUND);
        alice = new Outbound(aliceStore, new Inbound(aliceStore, ANYONE, Clock.systemUTC()), null, aliceLinks, BOUND,
                new OwedAcks(aliceStore, aliceId), Clock.systemUTC());
    }

    private Store bobStore() {
        return Store.open(dir.resolve("bob.db"), bobKey); // the same key after a restart
    }

    private DirectAnswers bobAnswers() {
        return new DirectAnswers(new Inbound(bobStore, session -> bobGate.get().requireCurrent(session), Clock.systemUTC()),
                bobNotices::add);
    }

    @AfterEach
    void close() {
        aliceLinks.close();
        bobServer.close();
        aliceStore.close();
        bobStore.close();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Alice sends a text message directly, as `send` does; returns it as stored. */
    private Message send(String text) {
        Packet packet = Packet.text(text, Instant.now());
        Outbound.Queued queued = alice.queue(tx -> tx.session(aliceId, bobId).orElseThrow(), packet, MessageKind.TEXT,
                packet.body());
        Outbound.Delivery d = alice.deliver(queued, Transport.DIRECT);
        assertEquals(Transport.DIRECT, d.via(), () -> "fell back: " + d.fallbackReason());
        assertTrue(d.delivered(), "acknowledged");
        return queued.message();
    }

    private byte[] bobState() {
        return bobStore.inTransactionReturning(tx -> tx.sessionById(sessionId).orElseThrow().state());
    }

    private long bobStored(String text) {
        return bobStore.inTransactionReturning(tx -> tx.messages(aliceId, 1_000)).stream()
                .filter(m -> m.text().equals(text)).count();
    }

    private List<Frame> exchange(Frame frame) {
        try (DirectConnection c = DirectConnection.open("127.0.0.1", bobServer.port(), BOUND)) {
            return c.exchange(frame, BOUND);
        }
    }

    @Test
    void aDirectCopyGetsTheSameAcknowledgementAndNeverAdvancesBobsRatchet() {
        Message first = send("hello");
        byte[] state = bobState();
        Frame copy = Frame.envelope(bobInbox, first.envelope());
        List<Frame> firstAnswer = exchange(copy);
        assertEquals(Frame.Kind.REPLY, firstAnswer.get(0).kind());
        try (DirectConnection c = DirectConnection.open("127.0.0.1", bobServer.port(), BOUND)) {
            for (int i = 0; i < 1_010; i++) {
                assertEquals(firstAnswer, c.exchange(copy, BOUND), "byte for byte the first answer, copy " + i);
            }
        }
        assertArrayEquals(state, bobState(), "no ratchet step for 1,011 copies");
        assertEquals(1, bobStored("hello"));

        // The session still works both ways: Bob's next acknowledgement is the next one, not 1,011 ahead.
        send("after the flood");
        assertEquals(1, bobStored("after the flood"));
        assertTrue(bobNotices.isEmpty(), bobNotices::toString);
    }

    @Test
    void aCopyAfterARestartGetsTheSameAnswer() {
        Message first = send("before the restart");
        List<Frame> before = exchange(Frame.envelope(bobInbox, first.envelope()));
        bobServer.close();
        bobStore.close();
        bobStore = bobStore();
        bobServer = DirectServer.start(new InetSocketAddress("127.0.0.1", bobServer.port()), bobAnswers()::answer,
                line -> { }, ROOMY);
        byte[] state = bobState();
        assertEquals(before, exchange(Frame.envelope(bobInbox, first.envelope())));
        assertArrayEquals(state, bobState());
    }

    @Test
    void aMailboxCopyIsNotStoredButAcknowledgedAgainAtMostOnceAMinute() {
        Message first = send("direct first");
        Inbound bob = new Inbound(bobStore, ANYONE, Clock.systemUTC());
        byte[] state = bobState();
        Inbound.Received again = bob.receive(bobInbox, first.envelope(), Transport.CHAIN, false);
        assertEquals(Inbound.Outcome.DUPLICATE, again.outcome());
        // The sender resends only what it has no acknowledgement for: the first may have been lost.
        assertEquals(first.id(), again.acknowledge(), "acknowledged again through the mailbox");
        Inbound.Received third = bob.receive(bobInbox, first.envelope(), Transport.CHAIN, false);
        assertEquals(Inbound.Outcome.DUPLICATE, third.outcome());
        assertNull(third.acknowledge(), "anyone can repost a copy: not acknowledged again within a minute");
        assertArrayEquals(state, bobState());
        assertEquals(1, bobStored("direct first"));
    }

    @Test
    void aDirectCopyOfAMailboxEnvelopeGetsTheRefusalThatSaysNothing() {
        Packet packet = Packet.text("by mail", Instant.now());
        Message m = alice.queue(tx -> tx.session(aliceId, bobId).orElseThrow(), packet, MessageKind.TEXT, packet.body())
                .message();
        Inbound bob = new Inbound(bobStore, ANYONE, Clock.systemUTC());
        Inbound.Received received = bob.receive(bobInbox, m.envelope(), Transport.CHAIN, false);
        assertEquals(Inbound.Outcome.STORED, received.outcome());
        assertEquals(m.id(), received.acknowledge(), "acknowledged once, in the mailbox batch");
        byte[] state = bobState();

        assertEquals(List.of(Frame.refusal()), exchange(Frame.envelope(bobInbox, m.envelope())));
        assertEquals(Inbound.Outcome.DUPLICATE, bob.receive(bobInbox, m.envelope(), Transport.CHAIN, false).outcome());
        assertArrayEquals(state, bobState());
        assertEquals(1, bobStored("by mail"));
    }

    @Test
    void aKnownMessageIdInANewEnvelopeGetsTheFirstAnswerAndNoNewEncryption() {
        Packet packet = Packet.text("once", Instant.now());
        Message first = alice.queue(tx -> tx.session(aliceId, bobId).orElseThrow(), packet, MessageKind.TEXT, packet.body())
                .message();
        List<Frame> firstAnswer = exchange(Frame.envelope(bobInbox, first.envelope()));
        byte[] second = encryptAsAlice(packet); // the same packet again, under the next key
        String sentBefore = sendCount(DoubleRatchet.fromBytes(bobState()));
        assertFalse(java.util.Arrays.equals(first.envelope(), second));

        assertEquals(firstAnswer, exchange(Frame.envelope(bobInbox, second)));
        assertEquals(sentBefore, sendCount(DoubleRatchet.fromBytes(bobState())), "Bob encrypted nothing new");
        assertEquals(1, bobStored("once"));
    }

    /** One ratchet step of Alice's session, saved, without storing a message. */
    private byte[] encryptAsAlice(Packet packet) {
        return aliceStore.inTransactionReturning(tx -> {
            DoubleRatchet ratchet = DoubleRatchet.fromBytes(tx.sessionById(sessionId).orElseThrow().state());
            byte[] envelope = ratchet.encrypt(packet.encode());
            tx.saveState(sessionId, ratchet.toBytes());
            return envelope;
        });
    }

    private static String sendCount(DoubleRatchet ratchet) {
        return ratchet.toString().replaceAll(".*sent=(\\d+).*", "$1");
    }

    @Test
    void copiesOfControlPacketsAndAcknowledgementsChangeNothing() {
        for (Packet packet : List.of(Packet.endpoint("127.0.0.1:7000", Instant.now()),
                Packet.ack(List.of(dev.peerkey.store.MessageId.random()), Instant.now()))) {
            Message m = alice.queue(tx -> tx.session(aliceId, bobId).orElseThrow(), packet, MessageKind.ENDPOINT,
                    new byte[0]).message();
            List<Frame> first = exchange(Frame.envelope(bobInbox, m.envelope()));
            assertEquals(Frame.Kind.REPLY, first.get(0).kind());
            assertEquals(packet.type() == Packet.Type.ACK, first.get(0).bodyLength() == 0,
                    "an acknowledgement is not acknowledged");
            byte[] state = bobState();
            for (int i = 0; i < 20; i++) {
                assertEquals(first, exchange(Frame.envelope(bobInbox, m.envelope())));
            }
            assertArrayEquals(state, bobState());
        }
    }

    @Test
    void strangersGetTheSameBytesForAKnownTagWithGarbageAndForARandomTag() {
        send("so the session has a receiving chain");
        byte[] state = bobState();
        List<Frame> knownTag = exchange(Frame.envelope(bobInbox, random(120)));
        List<Frame> randomTag = exchange(Frame.envelope(random(32), random(120)));
        // A real envelope header with a new ratchet key, far ahead: still only garbage to Bob.
        byte[] forged = random(120);
        forged[0] = 1;
        List<Frame> forgedHeader = exchange(Frame.envelope(bobInbox, forged));
        assertEquals(List.of(Frame.refusal()), knownTag);
        assertEquals(knownTag, randomTag);
        assertEquals(knownTag, forgedHeader);
        assertEquals("refused", knownTag.get(0).reason());
        assertArrayEquals(state, bobState());
        assertTrue(bobNotices.stream().anyMatch(n -> n.contains(aliceId.toString())),
                "Bob's own user is told whose session it was: " + bobNotices);
    }

    @Test
    void aClosedSessionsTagWithGarbageSaysNothingEither() {
        bobStore.inTransaction(tx -> {
            var s = tx.sessionById(sessionId).orElseThrow();
            tx.saveSession(sessionId, s.ourId(), s.peer(), SessionStatus.REVOKED, s.state(), s.endpoint());
        });
        assertEquals(List.of(Frame.refusal()), exchange(Frame.envelope(bobInbox, random(120))));
    }

    @Test
    void anEnvelopeBeyondTheSkipWindowIsRefusedWithoutAStep() {
        send("first");
        DoubleRatchet aliceRatchet = DoubleRatchet.fromBytes(
                aliceStore.inTransactionReturning(tx -> tx.sessionById(sessionId).orElseThrow().state()));
        byte[] far = null;
        for (int i = 0; i <= DoubleRatchet.MAX_SKIP + 1; i++) { // never saved: Alice's session is not harmed
            far = aliceRatchet.encrypt(Packet.text("skip " + i, Instant.now()).encode());
        }
        byte[] state = bobState();
        assertEquals(List.of(Frame.refusal()), exchange(Frame.envelope(bobInbox, far)));
        assertArrayEquals(state, bobState());
    }

    @Test
    void aRefusalOfAnEnvelopeThatDecryptedIsProvenAndEndsTheSendWithoutTheMailbox() {
        send("while active");
        bobGate.set(session -> {
            throw new PeerUnavailableException("peer " + session.peer() + " was revoked at 2026-01-01T00:00:00Z");
        });
        byte[] state = bobState();
        Packet packet = Packet.text("after revoking", Instant.now());
        Outbound.Queued queued = alice.queue(tx -> tx.session(aliceId, bobId).orElseThrow(), packet, MessageKind.TEXT,
                packet.body());

        List<Frame> answer = exchange(Frame.envelope(bobInbox, queued.message().envelope()));
        assertEquals(Frame.Kind.ERROR, answer.get(0).kind());
        assertArrayEquals(RefusedException.proof(packet.id()), answer.get(0).tag());
        assertTrue(answer.get(0).reason().contains("revoked"), answer.get(0).reason());
        assertArrayEquals(state, bobState(), "a refused envelope changes nothing");

        // Alice's own delivery: an error with Bob's reason; the mailbox (null here) is never touched.
        MessagingException e = assertThrows(MessagingException.class, () -> alice.deliver(queued, null));
        assertTrue(e.getMessage().startsWith(bobId + " refused the message: "), e.getMessage());
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
        assertEquals(MessageStatus.FAILED,
                aliceStore.inTransactionReturning(tx -> tx.message(packet.id()).orElseThrow().status()));
        assertEquals(0, bobStored("after revoking"));
    }

    @Test
    void aReusedConnectionTheListenerClosedIsReplacedAndTheFrameSentAgain() {
        send("opens the connection");
        bobServer.close(); // closes Alice's pooled connection from the other side
        bobServer = DirectServer.start(new InetSocketAddress("127.0.0.1", bobServer.port()), bobAnswers()::answer,
                line -> { }, ROOMY);
        send("on a new connection");
        assertEquals(1, bobStored("on a new connection"));
    }
}
