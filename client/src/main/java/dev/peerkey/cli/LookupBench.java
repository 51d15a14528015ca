package dev.peerkey.cli;

import dev.peerkey.chain.Chain;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.RegistrationRequest;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.generated.IdentityRegistry;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey bench lookup`: how long looking an identity up by display name, by address and by ID
 * takes as the registry grows, as a client that did not deploy the registry sees it (it is told
 * no deployment block).
 */
@Command(name = "lookup", mixinStandardHelpOptions = true,
        description = {"Start a local Hardhat node, deploy a registry, register identities (relayed) up to each"
                + " of --sizes, and after each step time lookups by display name, by address and by ID of"
                + " registered identities, as a client that did not deploy the registry (no recorded deployment"
                + " block). Prints the median and 90th percentile in milliseconds."})
final class LookupBench implements Runnable {
    private static final int PER_BLOCK = 50;
    private static final int EMPTY_BLOCKS = 100;

    @Mixin
    GlobalOptions options;

    @Option(names = "--sizes", split = ",", defaultValue = "100,1000,5000",
            description = "Registry sizes to measure at, ascending (default: ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--lookups", defaultValue = "30", description = "Lookups of each kind per size (default: ${DEFAULT-VALUE}).")
    int lookups;

    @Override
    public void run() {
        Output out = new Output(options.json);
        Path log;
        try {
            log = Files.createTempFile("peerkey-bench", ".log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (LocalRun run = new LocalRun(log, out::progress)) {
            Registry registry = run.registry();
            IdentityKey relayer = run.fundedKey();
            Instant validUntil = Instant.now().plus(Duration.ofDays(365));
            List<PeerId> ids = new ArrayList<>();
            Random random = new Random(1);
            out.text(String.format("%10s %8s %12s %12s %12s %12s %12s %12s", "identities", "blocks",
                    "name p50 ms", "name p90 ms", "addr p50 ms", "addr p90 ms", "id p50 ms", "id p90 ms"));
            for (int size : sizes) {
                out.progress("registering up to " + size + " identities…");
                register(run, registry, relayer, validUntil, ids, size);
                registry.resolve(ids.get(0).displayName().value(), 0); // warm up
                double[] name = time(() -> {
                    PeerId id = ids.get(random.nextInt(ids.size()));
                    return check(id, registry.resolve(id.displayName().value(), 0).orElse(null));
                });
                double[] address = time(() -> {
                    PeerId id = ids.get(random.nextInt(ids.size()));
                    return check(id, registry.resolve(id.address(), 0).orElse(null));
                });
                double[] byId = time(() -> {
                    PeerId id = ids.get(random.nextInt(ids.size()));
                    return check(id, registry.lookup(id).map(r -> r.id()).orElse(null));
                });
                out.text(String.format("%10d %8d %12.2f %12.2f %12.2f %12.2f %12.2f %12.2f", size,
                        run.chain.blockNumber(), name[0], name[1], address[0], address[1], byId[0], byId[1]));
            }
        } finally {
            log.toFile().delete();
        }
    }

    /**
     * Registers (relayed) until {@code ids} holds {@code size} identities: {@value #PER_BLOCK} per
     * block, each block followed by {@value #EMPTY_BLOCKS} empty ones, so the registry's logs spread
     * over many blocks as on a real chain (and the chain's clock does not run ahead of ours).
     */
    private static void register(LocalRun run, Registry registry, IdentityKey relayer, Instant validUntil,
            List<PeerId> ids, int size) {
        Chain chain = run.chain;
        Web3j web3j = chain.web3j();
        Credentials credentials = relayer.credentials();
        IdentityRegistry wrapper = IdentityRegistry.load(registry.address(), web3j, credentials,
                new DefaultGasProvider());
        BigInteger gasPrice = chain.send(web3j.ethGasPrice()).getGasPrice().multiply(BigInteger.TWO);
        chain.rpc("evm_setAutomine", false);
        try {
            while (ids.size() < size) {
                BigInteger nonce = chain.send(web3j.ethGetTransactionCount(credentials.getAddress(),
                        DefaultBlockParameterName.PENDING)).getTransactionCount();
                for (int i = 0; i < PER_BLOCK && ids.size() < size; i++) {
                    IdentityKey key = IdentityKey.generate();
                    RegistrationRequest request = registry.signRegistration(key, validUntil);
                    String data = wrapper.registerFor(key.id().bytes(), key.publicKey().bytes(),
                            BigInteger.valueOf(request.validUntil()), BigInteger.valueOf(request.signedAt()),
                            "0x0000000000000000000000000000000000000000", request.signature()).encodeFunctionCall();
                    RawTransaction tx = RawTransaction.createTransaction(nonce, gasPrice, BigInteger.valueOf(200_000),
                            registry.address(), BigInteger.ZERO, data);
                    String signed = Numeric.toHexString(TransactionEncoder.signMessage(tx, chain.chainId(), credentials));
                    chain.send(web3j.ethSendRawTransaction(signed));
                    nonce = nonce.add(BigInteger.ONE);
                    ids.add(key.id());
                }
                chain.rpc("evm_mine");
                // Interval 0: the empty blocks take no chain time, so signatures stay fresh.
                chain.rpc("hardhat_mine", "0x" + Long.toHexString(EMPTY_BLOCKS), "0x0");
            }
        } finally {
            chain.rpc("evm_setAutomine", true);
        }
        if (registry.lookup(ids.get(ids.size() - 1)).isEmpty()) {
            throw new IllegalStateException("the last registration did not land");
        }
    }

    private static PeerId check(PeerId wanted, PeerId found) {
        if (!wanted.equals(found)) {
            throw new IllegalStateException("lookup found " + found + " instead of " + wanted);
        }
        return found;
    }

    /** Median and 90th percentile of {@link #lookups} runs, in milliseconds. */
    private double[] time(Supplier<PeerId> lookup) {
        double[] ms = new double[lookups];
        for (int i = 0; i < lookups; i++) {
            long start = System.nanoTime();
            lookup.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[lookups / 2], ms[Math.min(lookups - 1, (int) Math.ceil(lookups * 0.9) - 1)]};
    }
}
