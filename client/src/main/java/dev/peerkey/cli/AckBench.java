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
        try (LocalRun run = new LocalRun(work.resolve("node.log"), out::progress)) {
            for (int n : sessions) {
                rows.add(measure(run, work.resolve("n" + n), n));
            }
        } finally {
            DemoCommand.deleteQuietly(work);
        }
        if (out.json()) {
            out.result(Map.of("blockTimeMs", blockTime.toMillis(), "rows", rows));
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
    }

    private ChatClient client(LocalRun run, Path dir, IdentityKey key, IdentityKey mailbox) {
        Store store = Store.open(dir.resolve(key.id().hex().substring(2, 10) + ".db"), StoreKey.random(),
                Store.Sync.NORMAL);
        stores.add(store);
        return new ChatClient(store, LocalIdentity.of(key), mailbox::credentials, run.registry(), run.messenger(),
                Clock.systemUTC(), new ChatClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, () -> null),
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
