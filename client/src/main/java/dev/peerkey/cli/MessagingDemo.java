package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.registry.TxResult;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageRequest;
import dev.peerkey.store.Store;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.DirectServer;
import dev.peerkey.transport.generated.Messenger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The messaging half of `peerkey demo`: Alice and Bob, each with a profile store and a direct
 * listener, authenticate through the Messenger (Alice's first message waits in Bob's message
 * requests until he accepts), talk both ways over both transports, and
 * watch a tampered and a replayed envelope being refused.
 */
final class MessagingDemo {
    /** The second-lowest byte of the envelope header's message number (version 1, key 32, PN 4, N 4). */
    private static final int TAMPERED_BYTE = 39;
    private static final String FIRST_MESSAGE = "Hi Bob, it's Alice: this rides in my handshake request";

    private final DemoCommand demo;
    private final LocalRun run;
    private final Path work;

    MessagingDemo(DemoCommand demo, LocalRun run, Path work) {
        this.demo = demo;
        this.run = run;
        this.work = work;
    }

    /** One side: its store, chat client and direct listener. */
    private final class Side implements AutoCloseable {
        final Store store;
        final ChatClient client;
        final DirectServer server;

        Side(String name, LocalIdentity me) {
            // The profile DemoCommand made: its store key is wrapped under the demo password.
            store = Store.open(work.resolve(name).resolve(Store.FILE_NAME),
                    new Profile(work.resolve(name), true).unlockStore(DemoCommand.DEMO_PASSWORD));
            AtomicReference<Endpoint> endpoint = new AtomicReference<>();
            IdentityKey mailboxAccount = run.fundedKey(); // sends this side's posts: not the identity's account
            client = new ChatClient(store, me, mailboxAccount::credentials, run.registry(), run.messenger(),
                    Clock.systemUTC(),
                    new ChatClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(2), 0, endpoint::get),
                    notice -> { });
            server = DirectServer.start(new InetSocketAddress("127.0.0.1", 0), client::handleFrame, line -> { });
            endpoint.set(Endpoint.of("127.0.0.1", server.port()));
        }

        String lastText() {
            List<Message> messages = store.inTransactionReturning(tx -> tx.messagesAfter(0, 10_000)).stream()
                    .filter(m -> m.kind() == MessageKind.TEXT).toList();
            return messages.isEmpty() ? "" : messages.get(messages.size() - 1).text();
        }

        @Override
        public void close() {
            server.close();
            client.close();
            store.close();
        }
    }

    void run(LocalIdentity aliceId, LocalIdentity bobId) {
        run.chain.fundFromDevAccount(bobId.key().address(), java.math.BigInteger.TEN.pow(18));
        try (Side alice = new Side("alice", aliceId); Side bob = new Side("bob", bobId)) {
            long authStart = System.nanoTime();
            demo.tx("Alice sends Bob a first message in a signed request", () ->
                    alice.client.sendInRequest(bobId.id(), FIRST_MESSAGE).tx());
            demo.timed("Bob reads it as a message request (nothing paid)", () -> {
                ChatClient.SyncReport report = bob.client.sync();
                List<MessageRequest> requests = bob.client.requests();
                DemoCommand.expect(report.answered() == 0 && requests.size() == 1
                        && requests.get(0).messages().get(0).text().equals(FIRST_MESSAGE),
                        "Bob holds Alice's request unanswered, her message readable");
                return "\"" + requests.get(0).messages().get(0).text() + "\"";
            });
            demo.tx("Bob accepts: verifies Alice, answers (signed accept)", () ->
                    bob.client.accept(aliceId.id()).tx());
            demo.timed("Alice verifies Bob, sends key confirmation (direct)", () ->
                    DemoCommand.expect(alice.client.sync().finished() == 1, "Alice finished"));
            demo.step("mutual authentication complete", (System.nanoTime() - authStart) / 1_000_000, null,
                    "both sides hold confirmed session keys; Alice's first message is in Bob's inbox");
            DemoCommand.expect(bob.lastText().equals(FIRST_MESSAGE), "the first message is in Bob's inbox");

            send("Alice -> Bob", alice, bob, bobId, "Hi Bob, via the on-chain mailbox", Transport.CHAIN);
            send("Alice -> Bob", alice, bob, bobId, "and this one straight over TCP", Transport.DIRECT);
            send("Bob -> Alice", bob, alice, aliceId, "Hello Alice! A mailbox reply", Transport.CHAIN);
            send("Bob -> Alice", bob, alice, aliceId, "and a direct one", Transport.DIRECT);

            // Alice's next envelope, still unread by Bob: Mallory posts a copy with one bit of the
            // header's message number flipped, so it claims a later, unused key and cannot authenticate.
            ChatClient.Sent next = alice.client.send(bobId.id(), "one more, copied and altered by Mallory",
                    Transport.CHAIN);
            Messenger.PostedEventResponse posted = postedIn(next.txHash());
            byte[] tampered = posted.envelope.clone();
            tampered[TAMPERED_BYTE] ^= 0x01;
            IdentityKey mallory = run.fundedKey();
            MessengerContract contract = run.messenger();
            long tamperStart = System.nanoTime();
            TxResult tamperedPost = contract.post(mallory.credentials(), posted.recipientTag, tampered);
            ChatClient.SyncReport report = bob.client.sync();
            DemoCommand.expect(report.stored() == 1 && report.refused().size() == 1,
                    "Bob stores the original and refuses the altered copy");
            demo.step("Mallory posts Alice's envelope with one bit flipped",
                    (System.nanoTime() - tamperStart) / 1_000_000, tamperedPost, report.refused().get(0));
            long replayStart = System.nanoTime();
            TxResult replayedPost = contract.post(mallory.credentials(), posted.recipientTag, posted.envelope);
            DemoCommand.expect(bob.client.sync().stored() == 0, "the replay is not stored twice");
            demo.step("Mallory replays Alice's envelope unchanged", (System.nanoTime() - replayStart) / 1_000_000,
                    replayedPost, "ignored: already received, not stored twice");
        }
    }

    private void send(String who, Side from, Side to, LocalIdentity toId, String text, Transport via) {
        long start = System.nanoTime();
        ChatClient.Sent sent = from.client.send(toId.id(), text, via);
        if (sent.via() != via) {
            throw new PeerkeyException("demo check failed: the message went " + sent.via() + ", not " + via);
        }
        if (via == Transport.CHAIN) {
            to.client.sync();
        }
        String received = to.lastText();
        DemoCommand.expect(received.equals(text), "the peer decrypted the message");
        demo.step(who + " (" + via.name().toLowerCase() + "): \"" + text + "\"",
                (System.nanoTime() - start) / 1_000_000,
                sent.gasUsed() == null ? null : new TxResult(sent.txHash(), sent.gasUsed(), 0),
                via == Transport.CHAIN ? "decrypted by the peer; " + whatObserversSee(sent.txHash(), from)
                        : "decrypted by the peer");
    }

    /** Who sent a post and how long its envelope is, as anyone reading the chain sees it. */
    private String whatObserversSee(String txHash, Side from) {
        var receipt = run.chain.send(run.chain.web3j().ethGetTransactionReceipt(txHash)).getTransactionReceipt()
                .orElseThrow(() -> new PeerkeyException("demo check failed: no receipt for " + txHash));
        DemoCommand.expect(!receipt.getFrom().equalsIgnoreCase(from.client.id().address()),
                "the post is not sent by the identity's account");
        return "posted by the mailbox account " + receipt.getFrom().substring(0, 10) + "…, not the identity's, as a "
                + postedIn(txHash).envelope.length + "-byte envelope";
    }

    private Messenger.PostedEventResponse postedIn(String txHash) {
        var receipt = run.chain.send(run.chain.web3j().ethGetTransactionReceipt(txHash)).getTransactionReceipt()
                .orElseThrow(() -> new PeerkeyException("demo check failed: no receipt for " + txHash));
        return Messenger.getPostedEventFromLog(receipt.getLogs().get(0));
    }
}
