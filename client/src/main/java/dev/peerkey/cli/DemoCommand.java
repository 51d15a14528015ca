package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.KeyRecord;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `peerkey demo`: the whole mission on a private local chain — deploy, two identities in
 * two profiles, lookups across them, a rotation, mutual authentication, messages both ways
 * over both transports, a tampered and a replayed message refused, then revocation and the
 * registry's refusals — with timings and gas.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole mission on a local chain it starts and stops itself.",
            "Deploys the registry and the Messenger, registers Alice (self-sent) and Bob (relayed) in two profiles,"
                    + " looks each up from the other, rotates Bob's key, authenticates them through two signed"
                    + " transactions, exchanges messages both ways through the mailbox and directly, shows a"
                    + " tampered and a replayed message refused, revokes Alice, and shows what the registry refuses."})
final class DemoCommand implements Runnable {
    static final char[] DEMO_PASSWORD = "demo password".toCharArray();

    @Mixin
    GlobalOptions options;

    @Option(names = "--node", paramLabel = "NODE", defaultValue = "hardhat", converter = NodeKindConverter.class,
            description = "The local node to run the demo on: hardhat, anvil or ganache (default: ${DEFAULT-VALUE}).")
    NodeKind node;

    private final List<Map<String, Object>> steps = new ArrayList<>();
    private Output out;

    @Override
    public void run() {
        out = new Output(options.json);
        Path work = tempDir();
        long demoStart = System.nanoTime();
        try (LocalRun run = new LocalRun(node, work.resolve("node.log"), out::progress)) {
            step("start local " + node.label() + " node", run.startMillis, null, run.node.rpcUrl());
            step("deploy IdentityRegistry", run.deployMillis, run.deployment.tx(), run.registry().address());
            Registry registry = run.registry();

            Profile alice = new Profile(work.resolve("alice"), true);
            Profile bob = new Profile(work.resolve("bob"), true);
            IdentityKey aliceKey = timed("create Alice's identity (keystore: " + alice.home().getFileName() + ")",
                    () -> newIdentity(alice));
            IdentityKey bobKey = timed("create Bob's identity (keystore: " + bob.home().getFileName() + ")",
                    () -> newIdentity(bob));
            run.chain.fundFromDevAccount(aliceKey.address(), java.math.BigInteger.TEN.pow(18));

            Instant yearAhead = Instant.now().plus(Duration.ofDays(365));
            tx("register Alice (sent by her own account)", () -> registry.register(aliceKey, yearAhead));
            IdentityKey relayer = run.fundedKey();
            var bobRequest = registry.signRegistration(bobKey, yearAhead);
            tx("register Bob (relayed: Bob signs, a relayer pays)",
                    () -> registry.submit(bobRequest, relayer.credentials()));

            PeerId aliceId = aliceKey.id();
            PeerId bobId = bobKey.id();
            timed("Alice looks up Bob by display name " + bobId.displayName(), () -> {
                PeerId found = registry.resolve(bobId.displayName().value(), 0).orElseThrow();
                return expect(registry.require(found).publicKey().equals(bobKey.publicKey()), "Bob's key");
            });
            timed("Bob looks up Alice by ID " + abbreviate(aliceId), () ->
                    expect(registry.require(aliceId).publicKey().equals(aliceKey.publicKey()), "Alice's key"));

            Instant bobKey0Since = registry.require(bobId).registeredAt();
            awaitNextSecond(bobKey0Since); // so key #0 has a moment of its own in the history
            IdentityKey bobNext = IdentityKey.generate();
            bob.storeKey(bobNext, DEMO_PASSWORD);
            run.chain.fundFromDevAccount(bobKey.address(), java.math.BigInteger.TEN.pow(18));
            tx("rotate Bob's key (old and new key both sign)",
                    () -> registry.rotate(bobId, bobKey, bobNext, yearAhead));
            bob.switchKey(bobId, bobNext.publicKey());
            timed("lookup shows Bob's key #1; the ID is unchanged", () -> {
                IdentityRecord record = registry.require(bobId);
                return expect(record.keyIndex() == 1 && record.publicKey().equals(bobNext.publicKey()), "key #1");
            });
            timed("key history: Bob's key at " + bobKey0Since + " was key #0", () -> {
                KeyRecord then = registry.keyAt(bobId, bobKey0Since);
                return expect(then.index() == 0 && then.publicKey().equals(bobKey.publicKey()), "key #0");
            });

            new MessagingDemo(this, run, work).run(LocalIdentity.of(aliceId, aliceKey),
                    LocalIdentity.of(bobId, bobNext));

            tx("revoke Alice (irreversible)", () -> registry.revoke(aliceId, aliceKey));
            timed("lookup reports Alice as revoked", () ->
                    expect(registry.require(aliceId).revoked(), "revoked"));
            refused("register Alice again", () -> registry.register(aliceKey, yearAhead));
            refused("Alice tries to rotate after revoking", () -> registry.rotate(aliceId, aliceKey, IdentityKey.generate(), yearAhead));
            refused("replay Bob's signed registration", () -> registry.submit(bobRequest, relayer.credentials()));
        } finally {
            deleteQuietly(work);
        }
        long totalMs = (System.nanoTime() - demoStart) / 1_000_000;
        if (out.json()) {
            out.result(Map.of("steps", steps, "totalMs", totalMs));
        } else {
            out.text(String.format("demo finished in %.1f s; the local chain is stopped.", totalMs / 1000.0));
        }
    }

    private IdentityKey newIdentity(Profile profile) {
        IdentityKey key = IdentityKey.generate();
        profile.addIdentity(key, DEMO_PASSWORD);
        return key;
    }

    private static void awaitNextSecond(Instant since) {
        long waitMs = since.plusSeconds(1).toEpochMilli() - System.currentTimeMillis();
        if (waitMs > 0) {
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerkeyException("interrupted");
            }
        }
    }

    static String expect(boolean ok, String what) {
        if (!ok) {
            throw new PeerkeyException("demo check failed: " + what);
        }
        return "ok";
    }

    <T> T timed(String name, Supplier<T> action) {
        long start = System.nanoTime();
        T result = action.get();
        String note = result instanceof IdentityKey key ? key.id().displayName().value() : String.valueOf(result);
        step(name, (System.nanoTime() - start) / 1_000_000, null, note);
        return result;
    }

    void tx(String name, Supplier<TxResult> action) {
        long start = System.nanoTime();
        TxResult result = action.get();
        step(name, (System.nanoTime() - start) / 1_000_000, result, "block " + result.blockNumber());
    }

    private void refused(String name, Runnable action) {
        long start = System.nanoTime();
        try {
            action.run();
        } catch (PeerkeyException e) {
            step(name, (System.nanoTime() - start) / 1_000_000, null, "refused: " + e.getMessage());
            return;
        }
        throw new PeerkeyException("demo check failed: " + name + " was accepted");
    }

    void step(String name, long millis, TxResult tx, String note) {
        var fields = Output.fields();
        fields.put("step", name);
        fields.put("ms", millis);
        fields.put("gasUsed", tx == null ? null : tx.gasUsed());
        fields.put("note", note);
        steps.add(fields);
        if (!out.json()) {
            if (steps.size() == 1) {
                out.text(String.format("%-3s %-58s %7s %8s  %s", "#", "step", "ms", "gas", "result"));
            }
            out.text(String.format("%-3d %-58s %7d %8s  %s", steps.size(), name, millis,
                    tx == null ? "" : Long.toString(tx.gasUsed()), note));
        }
    }

    private static String abbreviate(PeerId id) {
        return id.hex().substring(0, 10) + "…";
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("peerkey-demo");
        } catch (IOException e) {
            throw new PeerkeyException("cannot create a temporary directory: " + e.getMessage());
        }
    }

    static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // leftovers in the temp directory are harmless
        }
    }
}
