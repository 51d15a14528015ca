package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.Transport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey bench chat`: handshake and message latency and bulk throughput between two
 * clients (each with its own profile store, direct listener and mailbox follower, as
 * `listen` runs them) on a private local chain, automining or with a fixed block time. Prints a table.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Start a local node (--node, default Hardhat) and two chat clients (own stores, direct listeners, mailbox"
                + " followers polling every --poll), then measure: mutual authentication until both sides hold"
                + " confirmed keys; send-to-decrypted latency over each transport; and --bulk messages each way over"
                + " each transport, checking every one arrives exactly once and in order."})
final class ChatBench implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--node", paramLabel = "NODE", defaultValue = "hardhat", converter = NodeKindConverter.class,
            description = "The local node: hardhat, anvil or ganache (default: ${DEFAULT-VALUE}).")
    NodeKind node;

    @Option(names = "--block-time", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Mine one block every DURATION (e.g. 2s; Hardhat or Anvil) once both identities are"
                    + " registered, as a public chain does; default: a block per transaction.")
    Duration blockTime;

    @Option(names = "--runs", defaultValue = "20", description = "Handshakes and single messages measured per row (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--bulk", defaultValue = "1000", description = "Messages each way per transport in the bulk rows (default: ${DEFAULT-VALUE}).")
    int bulk;

    @Option(names = "--warmup", defaultValue = "300",
            description = "Unmeasured direct messages each way first, so the JIT has compiled the path (a tenth as many"
                    + " through the mailbox) (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--poll", defaultValue = "25ms", converter = DurationConverter.class,
            description = "How often each follower reads the mailbox, as `listen` does on a local chain (default: ${DEFAULT-VALUE}).")
    Duration poll;

    @Option(names = "--sync", defaultValue = "FULL", paramLabel = "FULL|NORMAL",
            description = "SQLite durability of both clients' stores: FULL (the client's setting: commits survive power"
                    + " loss) or NORMAL (survive a killed process only) (default: ${DEFAULT-VALUE}).")
    Store.Sync sync;

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private Output out;

    /** One benchmark client: store, chat client, direct listener and a follower thread. */
    private final class Client implements AutoCloseable {
        final Store store;
        final ChatClient chat;
        final dev.peerkey.transport.direct.DirectServer server;
        final Thread follower;
        /** When this client's listener last finished handling a direct frame. */
        volatile long handledAt;

        Client(LocalRun run, Path dir, LocalIdentity me) {
            store = Store.open(dir.resolve(Store.FILE_NAME), StoreKey.random(), sync);
            AtomicReference<Endpoint> endpoint = new AtomicReference<>();
            IdentityKey mailboxAccount = run.fundedKey(); // the client's own, as a profile's is
            chat = new ChatClient(store, me, mailboxAccount::credentials, run.registry(), run.messenger(),
                    Clock.systemUTC(),
                    new ChatClient.Settings(Duration.ofSeconds(3), Duration.ofSeconds(2), 0, endpoint::get),
                    notice -> out.progress("warning: " + notice));
            server = dev.peerkey.transport.direct.DirectServer.start(new InetSocketAddress("127.0.0.1", 0),
                    frame -> {
                        List<dev.peerkey.transport.direct.Frame> replies = chat.handleFrame(frame);
                        handledAt = System.nanoTime(); // decrypted and stored; the acknowledgement not sent yet
                        return replies;
                    }, line -> { });
            endpoint.set(Endpoint.of("127.0.0.1", server.port()));
            follower = Thread.ofPlatform().daemon().start(this::follow);
        }

        private void follow() {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    chat.sync();
                    Thread.sleep(poll);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!Thread.currentThread().isInterrupted()) {
                        out.progress("warning: " + e.getMessage());
                    }
                }
            }
        }

        List<Message> received(String prefix) {
            return store.inTransactionReturning(tx -> tx.messagesAfter(0, Integer.MAX_VALUE)).stream()
                    .filter(m -> m.direction() == Direction.IN && m.kind() == MessageKind.TEXT
                            && m.text().startsWith(prefix)).toList();
        }

        @Override
        public void close() {
            follower.interrupt();
            try {
                follower.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.close();
            chat.close();
            store.close();
        }
    }

    @Override
    public void run() {
        out = new Output(options.json);
        Path work;
        try {
            work = Files.createTempDirectory("peerkey-bench-chat");
        } catch (IOException e) {
            throw new PeerkeyException("cannot create a temporary directory: " + e.getMessage());
        }
        try (LocalRun run = new LocalRun(node, work.resolve("node.log"), out::progress)) {
            Instant yearAhead = Instant.now().plus(Duration.ofDays(365));
            IdentityKey aliceKey = run.fundedKey();
            IdentityKey bobKey = run.fundedKey();
            run.registry().register(aliceKey, yearAhead);
            run.registry().register(bobKey, yearAhead);
            if (blockTime != null) {
                run.mineEvery(blockTime);
            }
            try (Client alice = new Client(run, work.resolve("alice"), LocalIdentity.of(aliceKey));
                    Client bob = new Client(run, work.resolve("bob"), LocalIdentity.of(bobKey))) {
                // Bob accepts Alice's first request; from then on she is his contact and is answered at once.
                ChatClient.AuthStarted first = alice.chat.startAuth(bob.chat.id());
                await(() -> !bob.chat.requests().isEmpty(), "Alice's message request to reach Bob", FINE);
                bob.chat.accept(alice.chat.id());
                await(() -> bob.chat.sessionById(first.requestId()).filter(s -> s.status() == SessionStatus.ESTABLISHED)
                        .isPresent(), "the first session", FINE);
                authenticate(alice, bob); // the session the message rows use
                out.progress("warming up (" + warmup + " direct and " + warmup / 10 + " mailbox messages each way)…");
                for (int i = 0; i < warmup; i++) {
                    alice.chat.send(bob.chat.id(), "warm-up " + i, Transport.DIRECT);
                    bob.chat.send(alice.chat.id(), "warm-up " + i, Transport.DIRECT);
                    if (i % 10 == 0) {
                        alice.chat.send(bob.chat.id(), "warm-up " + i, Transport.CHAIN);
                        bob.chat.send(alice.chat.id(), "warm-up " + i, Transport.CHAIN);
                    }
                }
                for (Transport via : Transport.values()) {
                    out.progress("measuring " + runs + " single messages via " + via.name().toLowerCase() + "…");
                    List<Double> latency = new ArrayList<>();
                    for (int i = 0; i < runs; i++) {
                        latency.add(latency(alice, bob, via, "latency " + via + " " + i));
                    }
                    rows.add(row("message send -> decrypted at peer, " + via.name().toLowerCase(), latency, null, null));
                }
                for (Transport via : Transport.values()) {
                    bulk(alice, bob, via, "Alice -> Bob");
                    bulk(bob, alice, via, "Bob -> Alice");
                }
                // Last: each handshake supersedes the session before it, which stays followed for a while.
                out.progress("measuring " + runs + " handshakes…");
                List<Double> auth = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    auth.add(authenticate(alice, bob));
                }
                rows.add(0, row("mutual authentication (auth -> both confirmed)", auth, null, null));
            }
        } finally {
            DemoCommand.deleteQuietly(work);
        }
        print();
    }

    private double authenticate(Client alice, Client bob) {
        long start = System.nanoTime();
        ChatClient.AuthStarted started = alice.chat.startAuth(bob.chat.id());
        byte[] session = started.requestId();
        await(() -> alice.chat.sessionById(session).filter(s -> s.status() == SessionStatus.ESTABLISHED).isPresent()
                && bob.chat.sessionById(session).filter(s -> s.status() == SessionStatus.ESTABLISHED).isPresent()
                && confirmationDelivered(alice, bob.chat.id(), session), "the handshake to complete", FINE);
        return (System.nanoTime() - start) / 1e6;
    }

    /** Whether Bob acknowledged the key confirmation, Alice's newest message to him. */
    private static boolean confirmationDelivered(Client alice, PeerId bob, byte[] session) {
        return alice.store.inTransactionReturning(tx -> tx.messages(bob, 1)).stream()
                .anyMatch(m -> m.kind() == MessageKind.CONFIRM && Arrays.equals(m.sessionId(), session)
                        && m.status() == MessageStatus.DELIVERED);
    }

    /**
     * From the call to send until the peer holds the decrypted message: for direct, the moment
     * its listener finished storing it (the sender's call returns later, after the
     * acknowledgement); for the mailbox, when the peer's follower stored it.
     */
    private double latency(Client from, Client to, Transport via, String text) {
        long start = System.nanoTime();
        ChatClient.Sent sent = from.chat.send(to.chat.id(), text, via);
        requireVia(sent, via);
        if (via == Transport.DIRECT) {
            return (to.handledAt - start) / 1e6;
        }
        await(() -> to.store.inTransactionReturning(tx -> tx.message(sent.message().id())).isPresent(),
                "the message to arrive", FINE);
        return (System.nanoTime() - start) / 1e6;
    }

    private void bulk(Client from, Client to, Transport via, String direction) {
        String prefix = "bulk " + via + " " + direction + " #";
        out.progress("sending " + bulk + " messages " + direction + " via " + via.name().toLowerCase() + "…");
        long start = System.nanoTime();
        List<Double> each = new ArrayList<>();
        for (int i = 0; i < bulk; i++) {
            long t = System.nanoTime();
            requireVia(from.chat.send(to.chat.id(), prefix + i, via), via);
            each.add((System.nanoTime() - t) / 1e6);
        }
        await(() -> to.received(prefix).size() >= bulk, "all bulk messages to arrive", Duration.ofMillis(50));
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> texts = to.received(prefix).stream().map(Message::text).toList();
        for (int i = 0; i < bulk; i++) {
            if (texts.size() != bulk || !texts.get(i).equals(prefix + i)) {
                throw new PeerkeyException("bench check failed: " + direction + " via " + via
                        + " did not deliver every message exactly once in order");
            }
        }
        rows.add(row(bulk + " messages " + direction + ", " + via.name().toLowerCase() + " (send call)", each,
                bulk / seconds, liveHeapMiB()));
    }

    private static void requireVia(ChatClient.Sent sent, Transport via) {
        if (sent.via() != via) {
            throw new PeerkeyException("bench check failed: a message went " + sent.via() + " instead of " + via
                    + (sent.fallbackReason() == null ? "" : " (" + sent.fallbackReason() + ")"));
        }
    }

    /** How often a latency measurement looks for its result: fine enough not to blur sub-millisecond figures. */
    private static final Duration FINE = Duration.ofMillis(1);

    private static void await(BooleanSupplier done, String what, Duration pause) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new PeerkeyException("bench check failed: timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause.toNanos());
        }
    }

    /** The heap both clients still hold after a full collection: what they keep, not garbage. */
    private static double liveHeapMiB() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    /** The process's peak resident memory (Linux VmHWM), or empty where /proc is missing. */
    private static java.util.Optional<Double> peakResidentMiB() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024.0);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private Map<String, Object> row(String name, List<Double> millis, Double perSecond, Double peakMiB) {
        List<Double> sorted = millis.stream().sorted().toList();
        var row = Output.fields();
        row.put("measurement", name);
        row.put("n", sorted.size());
        row.put("medianMs", sorted.get(sorted.size() / 2));
        row.put("p90Ms", sorted.get((int) Math.min(sorted.size() - 1, Math.floor(sorted.size() * 0.9))));
        row.put("maxMs", sorted.get(sorted.size() - 1));
        row.put("messagesPerSecond", perSecond);
        row.put("liveHeapMiB", peakMiB);
        return row;
    }

    private void print() {
        if (out.json()) {
            out.result(Map.of("node", node.option(), "blockTimeMs", blockTime == null ? 0 : blockTime.toMillis(),
                    "poll", poll.toMillis(), "sync", sync.name(), "rows", rows,
                    "peakResidentMiB", peakResidentMiB().orElse(-1.0)));
            return;
        }
        out.text(String.format("%-58s %5s %9s %9s %9s %9s %9s", "measurement", "n", "p50 ms", "p90 ms", "max ms",
                "msg/s", "live MiB"));
        for (Map<String, Object> r : rows) {
            out.text(String.format("%-58s %5d %9.2f %9.2f %9.2f %9s %9s", r.get("measurement"), r.get("n"),
                    r.get("medianMs"), r.get("p90Ms"), r.get("maxMs"), format(r.get("messagesPerSecond"), "%.0f"),
                    format(r.get("liveHeapMiB"), "%.1f")));
        }
        peakResidentMiB().ifPresent(mib -> out.text(String.format(
                "peak resident memory of this process (both clients, JVM included): %.0f MiB", mib)));
        out.text("live MiB: heap both clients hold after a full GC at the end of the row; stores: synchronous=" + sync + "; mailbox followers poll every " + poll.toMillis()
                + " ms; " + node.label() + (blockTime == null ? " mines one block per transaction."
                        : " mines one block every " + blockTime.toMillis() + " ms."));
    }

    private static String format(Object value, String pattern) {
        return value == null ? "-" : String.format(pattern, value);
    }
}
