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

    /** The demo's text fits an 80-column terminal. */
    private static final int WIDTH = 80;
    private static final int NAME_WIDTH = 53;

    private static final String TRY_NEXT = """

            Try it yourself, Alice and Bob in two terminals (each its own profile):
              ./peerkey chain start && ./peerkey deploy
              export PEERKEY_HOME=~/.peerkey-alice        # Bob: ~/.peerkey-bob
              ./peerkey id new && ./peerkey register      # each prints its ID
              ./peerkey contact add bob BOBS_ID           # Bob: contact add alice ...
              ./peerkey verify bob                        # compare the numbers
              ./peerkey chat bob                          # Bob: ./peerkey chat alice
            More: ./peerkey --help, ./peerkey help COMMAND, and the README.""";

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
            step("deploy Messenger (the mailbox and handshakes)", run.messengerDeployMillis,
                    run.messengerDeployment.tx(), run.messenger().address());
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
                IdentityRecord found = registry.require(registry.resolve(bobId.displayName().value(), 0).orElseThrow());
                expect(found.publicKey().equals(bobKey.publicKey()), "Bob's key");
                return found(found);
            });
            timed("Bob looks up Alice by ID " + abbreviate(aliceId), () -> {
                IdentityRecord found = registry.require(aliceId);
                expect(found.publicKey().equals(aliceKey.publicKey()), "Alice's key");
                return found(found);
            });

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
                expect(record.keyIndex() == 1 && record.publicKey().equals(bobNext.publicKey()), "key #1");
                return found(record);
            });
            timed("key history: Bob's key at " + bobKey0Since + " was key #0", () -> {
                KeyRecord then = registry.keyAt(bobId, bobKey0Since);
                expect(then.index() == 0 && then.publicKey().equals(bobKey.publicKey()), "key #0");
                return "key #0 " + abbreviate(then.publicKey().hex()) + ", retired " + then.retiredAt();
            });

            new MessagingDemo(this, run, work).run(LocalIdentity.of(aliceId, aliceKey),
                    LocalIdentity.of(bobId, bobNext));

            tx("revoke Alice (irreversible)", () -> registry.revoke(aliceId, aliceKey));
            timed("lookup reports Alice as revoked", () -> {
                IdentityRecord found = registry.require(aliceId);
                expect(found.revoked(), "revoked");
                return found(found);
            });
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
            TRY_NEXT.lines().forEach(out::text);
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
                out.text(String.format("%2s  %-" + NAME_WIDTH + "s %6s %9s", "#", "step", "ms", "gas"));
            }
            List<String> names = wrap(name, NAME_WIDTH);
            out.text(String.format("%2d  %-" + NAME_WIDTH + "s %6d %9s", steps.size(), names.get(0), millis,
                    tx == null ? "" : String.format("%,d", tx.gasUsed())));
            names.stream().skip(1).forEach(line -> out.text("    " + line));
            wrap(note, WIDTH - 7).forEach(line -> out.text("      " + line));
        }
    }

    /** Splits text at spaces into lines of at most {@code width} characters (a longer word gets a line). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static String abbreviate(PeerId id) {
        return abbreviate(id.hex());
    }

    private static String abbreviate(String hex) {
        return hex.substring(0, 10) + "…";
    }

    /** What a lookup found, as the user would read it. */
    private static String found(IdentityRecord record) {
        return record.id().displayName().value() + " (ID " + abbreviate(record.id()) + "): " + record.status()
                .name().toLowerCase(java.util.Locale.ROOT) + ", key #" + record.keyIndex() + " "
                + abbreviate(record.publicKey().hex()) + ", valid until "
                + record.validUntil().truncatedTo(java.time.temporal.ChronoUnit.DAYS).toString().substring(0, 10);
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
