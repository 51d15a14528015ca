package dev.peerkey.cli;

import dev.peerkey.handshake.Acceptance;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.handshake.PendingHandshake;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.RecoveryKey;
import dev.peerkey.messaging.Packet;
import dev.peerkey.messaging.Padding;
import dev.peerkey.session.Envelope;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import dev.peerkey.transport.MessengerContract;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.web3j.protocol.core.DefaultBlockParameterName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey bench gas`: gas and latency of every registry and messenger transaction on a private local chain. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table.",
        subcommands = {BenchCommand.Gas.class, ChatBench.class, AckBench.class, LookupBench.class, StartupBench.class})
final class BenchCommand {

    @Command(name = "gas", mixinStandardHelpOptions = true,
            description = {"Start a local Hardhat node, deploy a registry and a messenger, and measure the gas"
                    + " (whole transaction: intrinsic + calldata + execution) and send-to-receipt latency of"
                    + " register (self and relayed, with and without a recovery key), rotateKey, revoke and"
                    + " revokeFor, the recovery key's startRecovery, completeRecovery and recoveryRevoke, and of"
                    + " requestAuth and acceptAuth (each carrying an endpoint) and the post of a 100-byte message,"
                    + " unpadded as version 1 sent it and padded as now, each on fresh identities. The registry is"
                    + " deployed with a 2-second recovery delay."})
    static final class Gas implements Runnable {
        /** What a handshake payload typically carries. */
        private static final Endpoint ENDPOINT = Endpoint.parse("127.0.0.1:7000");
        private static final int TEXT_BYTES = 100;
        /** A 100-byte message's envelope before padding: text + packet header 26 + envelope 57. */
        private static final int V1_ENVELOPE_BYTES = TEXT_BYTES + 26 + Envelope.OVERHEAD;
        private static final int PADDED_ENVELOPE_BYTES = Padding.envelopeSize(
                TEXT_BYTES + Packet.HEADER_SIZE + Envelope.OVERHEAD);
        private static final SecureRandom RANDOM = new SecureRandom();
        private static final Duration RECOVERY_DELAY = Duration.ofSeconds(2);

        @Mixin
        GlobalOptions options;

        @Option(names = "--runs", defaultValue = "20", description = "Fresh identities per operation (default: ${DEFAULT-VALUE}).")
        int runs;

        private final Map<String, List<TxResult>> gas = new LinkedHashMap<>();
        private final List<Recovery> recoveries = new ArrayList<>();

        /** An identity with a recovery key whose recovery to {@code newKey} has started. */
        private record Recovery(PeerId id, RecoveryKey key, IdentityKey newKey) { }
        private final Map<String, List<Long>> micros = new LinkedHashMap<>();

        @Override
        public void run() {
            Output out = new Output(options.json);
            Path log;
            try {
                log = Files.createTempFile("peerkey-bench", ".log");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            try (LocalRun run = new LocalRun(log, RECOVERY_DELAY, out::progress)) {
                Registry registry = run.registry();
                Instant validUntil = Instant.now().plus(Duration.ofDays(365));
                IdentityKey relayer = run.fundedKey();
                out.progress("measuring " + runs + " runs…");
                for (int i = 0; i < runs; i++) {
                    IdentityKey self = run.fundedKey();
                    IdentityKey relayed = IdentityKey.generate();
                    measure("register (self-sent)", () -> registry.register(self, validUntil));
                    measure("registerFor (relayed)", () ->
                            registry.submit(registry.signRegistration(relayed, validUntil), relayer.credentials()));
                    IdentityKey next = IdentityKey.generate();
                    measure("rotateKey", () -> registry.rotate(self.id(), self, next, validUntil));
                    run.chain.fundFromDevAccount(next.address(), BigInteger.TEN.pow(17));
                    measure("revoke (self-sent)", () -> registry.revoke(self.id(), next));
                    measure("revokeFor (relayed)", () -> registry.revokeFor(relayed.id(), relayed, relayer.credentials()));
                    recoveries.add(measureRecoveryStart(registry, relayer, validUntil));
                    measureMessenger(run, validUntil);
                }
                waitForRecoveryDelay(run, relayer);
                for (Recovery recovery : recoveries) {
                    measure("completeRecovery (relayed)", () -> registry.completeRecovery(recovery.id, recovery.newKey,
                            validUntil, relayer.credentials()));
                    measure("recoveryRevoke (relayed)", () -> registry.recoveryRevoke(recovery.id, recovery.key,
                            relayer.credentials()));
                }
                print(out, run.deployment.tx(), run.messengerDeployment.tx());
            } finally {
                log.toFile().delete();
            }
        }

        /** Registers a fresh identity with a recovery key (relayed) and starts its recovery. */
        private Recovery measureRecoveryStart(Registry registry, IdentityKey relayer, Instant validUntil) {
            IdentityKey owner = IdentityKey.generate();
            RecoveryKey recovery = RecoveryKey.generate();
            measure("registerFor with a recovery key (relayed)", () -> registry.submit(
                    registry.signRegistration(owner, validUntil, recovery.address()), relayer.credentials()));
            IdentityKey newKey = IdentityKey.generate();
            measure("startRecovery (relayed)", () -> registry.startRecovery(owner.id(), recovery, newKey.publicKey(),
                    relayer.credentials()));
            return new Recovery(owner.id(), recovery, newKey);
        }

        /** Mines (with tiny transfers) until the chain's time has passed the last recovery's delay. */
        private void waitForRecoveryDelay(LocalRun run, IdentityKey relayer) {
            Instant readyAt = run.registry().recovery(recoveries.get(recoveries.size() - 1).id).readyAt().orElseThrow();
            while (latestBlockTime(run).isBefore(readyAt)) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the recovery delay", e);
                }
                run.chain.fundFromDevAccount(relayer.address(), BigInteger.ONE);
            }
        }

        private static Instant latestBlockTime(LocalRun run) {
            return Instant.ofEpochSecond(run.chain.send(run.chain.web3j()
                    .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock().getTimestamp()
                    .longValueExact());
        }

        /** One handshake and one post between two fresh registered identities, each paying its own gas. */
        private void measureMessenger(LocalRun run, Instant validUntil) {
            MessengerContract messenger = run.messenger();
            IdentityKey initiator = run.fundedKey();
            IdentityKey responder = run.fundedKey();
            run.registry().register(initiator, validUntil);
            run.registry().register(responder, validUntil);
            Handshake handshake = new Handshake(messenger.domain());
            PendingHandshake pending = handshake.start(LocalIdentity.of(initiator),
                    LocalIdentity.of(responder).asPeer(), Instant.now(), ENDPOINT);
            measure("requestAuth", () -> messenger.requestAuth(initiator.credentials(), pending.request()));
            Acceptance acceptance = handshake.accept(LocalIdentity.of(responder), LocalIdentity.of(initiator).asPeer(),
                    pending.request(), Instant.now(), ENDPOINT);
            measure("acceptAuth", () -> messenger.acceptAuth(responder.credentials(), pending.request(),
                    acceptance.accept()));
            byte[] tag = new byte[MessengerContract.TAG_LENGTH];
            RANDOM.nextBytes(tag);
            // Random, like ciphertext (the padding is encrypted too): zero bytes would make calldata cheaper.
            byte[] unpadded = new byte[V1_ENVELOPE_BYTES];
            byte[] padded = new byte[PADDED_ENVELOPE_BYTES];
            RANDOM.nextBytes(unpadded);
            RANDOM.nextBytes(padded);
            measure("post (100 B text, v1: " + V1_ENVELOPE_BYTES + " B)",
                    () -> messenger.post(initiator.credentials(), tag, unpadded));
            measure("post (100 B text, padded: " + PADDED_ENVELOPE_BYTES + " B)",
                    () -> messenger.post(initiator.credentials(), tag, padded));
        }

        private void measure(String name, Supplier<TxResult> action) {
            long start = System.nanoTime();
            TxResult tx = action.get();
            micros.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1000);
            gas.computeIfAbsent(name, k -> new ArrayList<>()).add(tx);
        }

        private void print(Output out, TxResult deploy, TxResult messengerDeploy) {
            List<Map<String, Object>> rows = new ArrayList<>();
            gas.forEach((name, txs) -> {
                List<Long> used = txs.stream().map(TxResult::gasUsed).sorted().toList();
                List<Long> latency = micros.get(name).stream().sorted().toList();
                var row = Output.fields();
                row.put("operation", name);
                row.put("runs", used.size());
                row.put("gasMin", used.get(0));
                row.put("gasMedian", used.get(used.size() / 2));
                row.put("gasMax", used.get(used.size() - 1));
                row.put("latencyMedianMs", latency.get(latency.size() / 2) / 1000.0);
                rows.add(row);
            });
            if (out.json()) {
                out.result(Map.of("deployGas", deploy.gasUsed(), "messengerDeployGas", messengerDeploy.gasUsed(),
                        "operations", rows));
                return;
            }
            out.text(String.format("%-42s %5s %9s %9s %9s %14s", "operation", "runs", "gas min", "median",
                    "max", "latency ms p50"));
            for (Map<String, Object> row : rows) {
                out.text(String.format("%-42s %5d %9d %9d %9d %14.2f", row.get("operation"), row.get("runs"),
                        row.get("gasMin"), row.get("gasMedian"), row.get("gasMax"), row.get("latencyMedianMs")));
            }
            out.text(String.format("%-42s %5d %9d", "deploy IdentityRegistry", 1, deploy.gasUsed()));
            out.text(String.format("%-42s %5d %9d", "deploy Messenger", 1, messengerDeploy.gasUsed()));
        }
    }
}
