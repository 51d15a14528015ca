package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.Chain;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.Transport;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey bench acks`: one mailbox pass of a recipient with mail on N sessions, at a fixed block
 * time, and what its acknowledgements cost. Prints a table.
 */
@Command(name = "acks", mixinStandardHelpOptions = true,
        description = {"Start a local Hardhat node; for each --sessions count N, make N senders with a session"
                + " to one recipient (each sends one message through the mailbox), then switch the node to one block"
                + " every --block-time and time the recipient's mailbox pass that reads the N messages and"
                + " acknowledges them, with the transactions and gas its acknowledgements took."})
final class AckBench implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--sessions", split = ",", defaultValue = "1,20,100",
            description = "Session counts to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> sessions;

    @Option(names = "--block-time", defaultValue = "1s", converter = DurationConverter.class,
            description = "Block time while the pass runs (default: ${DEFAULT-VALUE}).")
    Duration blockTime;

    @Option(names = "--conversation", paramLabel = "N", defaultValue = "20",
            description = "Also measure an N-message back-and-forth conversation through the mailbox, each message"
                    + " answered within the acknowledgement grace period, with acknowledgements sent alone (before) and"
                    + " carried by the replies (after); 0 skips it (default: ${DEFAULT-VALUE}).")
    int conversation;

    private Output out;
    private final List<Store> stores = new ArrayList<>();

    @Override
    public void run() {
        out = new Output(options.json);
        Path work;
        try {
            work = Files.createTempDirectory("peerkey-bench-acks");
        } catch (IOException e) {
            throw new PeerkeyException("cannot create a temporary directory: " + e.getMessage());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> talks = new ArrayList<>();
        try (LocalRun run = new LocalRun(work.resolve("node.log"), out::progress)) {
            for (int n : sessions) {
                rows.add(measure(run, work.resolve("n" + n), n));
            }
            if (conversation > 0) {
                talks.add(converse(run, work.resolve("talk-alone"), false));
                talks.add(converse(run, work.resolve("talk-carried"), true));
            }
        } finally {
            DemoCommand.deleteQuietly(work);
        }
        if (out.json()) {
            out.result(Map.of("blockTimeMs", blockTime.toMillis(), "rows", rows, "conversation", talks));
            return;
        }
        out.text(String.format("%-9s %8s %8s %9s %12s %10s", "sessions", "stored", "pass s", "ack txs", "ack gas",
                "blocks"));
        for (Map<String, Object> r : rows) {
            out.text(String.format("%-9d %8d %8.2f %9d %12d %10d", r.get("sessions"), r.get("stored"),
                    r.get("passSeconds"), r.get("ackTransactions"), r.get("ackGas"), r.get("blocks")));
        }
        out.text("one pass of the recipient's mailbox follower: read N messages on N sessions and acknowledge them;"
                + " the node makes one block every " + blockTime.toMillis() + " ms meanwhile.");
        if (!talks.isEmpty()) {
            out.text("");
            out.text(String.format("%-34s %9s %12s %9s %12s %11s", conversation + "-message conversation",
                    "txs", "ack-only txs", "envelopes", "gas", "gas/message"));
            for (Map<String, Object> r : talks) {
                out.text(String.format("%-34s %9d %12d %9d %12d %11d", r.get("acknowledgements"),
                        r.get("transactions"), r.get("ackOnlyTransactions"), r.get("envelopes"), r.get("gas"),
                        r.get("gasPerMessage")));
            }
            out.text("two clients take turns through the mailbox (automining), each reading the other's message and"
                    + " answering within the grace period; every message delivered once and acknowledged, the last"
                    + " one's acknowledgement sent alone at the end.");
        }
    }

    /**
     * Alice and Bob take turns, {@link #conversation} messages in all, each reading the other's
     * message and answering it at once (well within {@link ChatClient#ACK_GRACE}: their clocks
     * stand still); {@code carried}: acknowledgements held back and carried by the replies,
     * otherwise sent alone at the end of each pass. Counts every transaction of both mailbox
     * accounts, the last acknowledgement (sent alone at the end, as a command that exits does) included.
     */
    private Map<String, Object> converse(LocalRun run, Path dir, boolean carried) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PeerkeyException("cannot create " + dir + ": " + e.getMessage());
        }
        out.progress("a " + conversation + "-message conversation, acknowledgements " + (carried ? "carried" : "alone")
                + "…");
        Instant yearAhead = Instant.now().plus(Duration.ofDays(365));
        Clock still = Clock.fixed(Instant.now(), java.time.ZoneOffset.UTC);
        IdentityKey aliceKey = run.fundedKey();
        IdentityKey bobKey = run.fundedKey();
        IdentityKey aliceMailbox = run.fundedKey();
        IdentityKey bobMailbox = run.fundedKey();
        run.registry().register(aliceKey, yearAhead);
        run.registry().register(bobKey, yearAhead);
        ChatClient alice = client(run, dir, aliceKey, aliceMailbox, still);
        ChatClient bob = client(run, dir, bobKey, bobMailbox, still);
        Store[] storeOf = {stores.get(stores.size() - 2), stores.get(stores.size() - 1)};
        try {
            alice.startAuth(bob.id());
            bob.sync();
            bob.accept(alice.id());
            alice.sync(); // the key confirmation
            bob.sync();
            alice.sync();
            if (carried) {
                alice.holdAcknowledgements(ChatClient.ACK_GRACE);
                bob.holdAcknowledgements(ChatClient.ACK_GRACE);
            }
            Chain chain = run.chain;
            long fromBlock = chain.blockNumber();
            ChatClient[] turn = {alice, bob};
            List<ChatClient.Sent> sent = new ArrayList<>();
            for (int i = 0; i < conversation; i++) {
                ChatClient from = turn[i % 2];
                from.sync(); // reads the other's message
                sent.add(from.send(turn[(i + 1) % 2].id(), "message " + i, Transport.CHAIN));
            }
            turn[conversation % 2].sync(); // reads the last message
            alice.acknowledgeOwed(); // as a command does on exit
            bob.acknowledgeOwed();
            alice.sync();
            bob.sync();
            for (int i = 0; i < sent.size(); i++) {
                var id = sent.get(i).message().id();
                boolean delivered = storeOf[i % 2].inTransactionReturning(tx -> tx.message(id))
                        .filter(m -> m.status() == dev.peerkey.store.MessageStatus.DELIVERED).isPresent();
                long received = storeOf[(i + 1) % 2].inTransactionReturning(tx -> tx.message(id)).stream().count();
                if (!delivered || received != 1) {
                    throw new PeerkeyException("bench check failed: message " + i + " not received once and acknowledged");
                }
            }
            long txs = 0;
            long envelopes = 0;
            long gas = 0;
            for (long b = fromBlock + 1; b <= chain.blockNumber(); b++) {
                EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)).getBlock();
                for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
                    EthBlock.TransactionObject tx = (EthBlock.TransactionObject) t.get();
                    if (aliceMailbox.address().equalsIgnoreCase(tx.getFrom())
                            || bobMailbox.address().equalsIgnoreCase(tx.getFrom())) {
                        TransactionReceipt receipt = chain.send(chain.web3j().ethGetTransactionReceipt(tx.getHash()))
                                .getTransactionReceipt().orElseThrow();
                        txs++;
                        envelopes += receipt.getLogs().size();
                        gas += receipt.getGasUsed().longValueExact();
                    }
                }
            }
            var row = Output.fields();
            row.put("acknowledgements", carried ? "after: carried by the replies" : "before: each sent alone");
            row.put("messages", conversation);
            row.put("transactions", txs);
            row.put("ackOnlyTransactions", txs - conversation);
            row.put("envelopes", envelopes);
            row.put("gas", gas);
            row.put("gasPerMessage", gas / conversation);
            return row;
        } finally {
            alice.close();
            bob.close();
            stores.forEach(Store::close);
            stores.clear();
        }
    }

    private ChatClient client(LocalRun run, Path dir, IdentityKey key, IdentityKey mailbox) {
        return client(run, dir, key, mailbox, Clock.systemUTC());
    }

    private ChatClient client(LocalRun run, Path dir, IdentityKey key, IdentityKey mailbox, Clock clock) {
        Store store = Store.open(dir.resolve(key.id().hex().substring(2, 10) + ".db"), StoreKey.random(), clock,
                Store.Sync.NORMAL);
        stores.add(store);
        return new ChatClient(store, LocalIdentity.of(key), mailbox::credentials, run.registry(), run.messenger(),
                clock, new ChatClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, () -> null),
                notice -> out.progress("warning: " + notice));
    }

    private Map<String, Object> measure(LocalRun run, Path dir, int n) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PeerkeyException("cannot create " + dir + ": " + e.getMessage());
        }
        out.progress("setting up " + n + " sessions with mail…");
        Instant yearAhead = Instant.now().plus(Duration.ofDays(365));
        IdentityKey bobKey = run.fundedKey();
        IdentityKey bobMailbox = run.fundedKey();
        run.registry().register(bobKey, yearAhead);
        ChatClient bob = client(run, dir, bobKey, bobMailbox);
        List<ChatClient> senders = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                IdentityKey key = run.fundedKey();
                run.registry().register(key, yearAhead);
                ChatClient sender = client(run, dir, key, run.fundedKey());
                senders.add(sender);
                sender.startAuth(bob.id());
            }
            bob.sync();
            for (ChatClient sender : senders) {
                bob.accept(sender.id());
            }
            for (ChatClient sender : senders) {
                sender.sync(); // finishes the handshake and posts the key confirmation
            }
            bob.sync(); // reads the confirmations and acknowledges them
            for (ChatClient sender : senders) {
                sender.sync();
                sender.send(bob.id(), "hello from sender", Transport.CHAIN);
            }
            Chain chain = run.chain;
            long fromBlock = chain.blockNumber();
            String account = bobMailbox.address();
            BigInteger nonceBefore = nonce(chain, account);
            run.mineEvery(blockTime);
            long start = System.nanoTime();
            ChatClient.SyncReport report = bob.sync();
            double seconds = (System.nanoTime() - start) / 1e9;
            run.mineEvery(null);
            long toBlock = chain.blockNumber();
            if (report.stored() != n) {
                throw new PeerkeyException("bench check failed: the pass stored " + report.stored() + " of " + n
                        + " messages");
            }
            long txs = nonce(chain, account).subtract(nonceBefore).longValueExact();
            long gas = 0;
            for (long b = fromBlock + 1; b <= toBlock; b++) {
                EthBlock.Block block = chain.send(chain.web3j().ethGetBlockByNumber(
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)).getBlock();
                for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
                    EthBlock.TransactionObject tx = (EthBlock.TransactionObject) t.get();
                    if (account.equalsIgnoreCase(tx.getFrom())) {
                        TransactionReceipt receipt = chain.send(chain.web3j().ethGetTransactionReceipt(tx.getHash()))
                                .getTransactionReceipt().orElseThrow();
                        gas += receipt.getGasUsed().longValueExact();
                    }
                }
            }
            var row = Output.fields();
            row.put("sessions", n);
            row.put("stored", report.stored());
            row.put("passSeconds", seconds);
            row.put("ackTransactions", txs);
            row.put("ackGas", gas);
            row.put("blocks", toBlock - fromBlock);
            return row;
        } finally {
            senders.forEach(ChatClient::close);
            bob.close();
            stores.forEach(Store::close);
            stores.clear();
        }
    }

    private static BigInteger nonce(Chain chain, String account) {
        return chain.send(chain.web3j().ethGetTransactionCount(account, DefaultBlockParameterName.LATEST))
                .getTransactionCount();
    }

}
