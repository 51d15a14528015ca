package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.Chain;
import dev.peerkey.chain.LocalNode;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A private local chain with a fresh registry and a messenger bound to it, for `demo`
 * and `bench`: started on a free port, stopped on close.
 */
final class LocalRun implements AutoCloseable {
    private static final BigInteger FUNDING = BigInteger.TEN.pow(18);

    final LocalNode node;
    final Chain chain;
    final Registry.Deployment deployment;
    final MessengerContract.Deployment messengerDeployment;
    final long startMillis;
    final long deployMillis;
    final long messengerDeployMillis;

    LocalRun(Path logFile, Consumer<String> progress) {
        this(NodeKind.HARDHAT, logFile, Registry.DEFAULT_RECOVERY_DELAY, progress);
    }

    /** On a {@code kind} node (Hardhat, Anvil or Ganache). */
    LocalRun(NodeKind kind, Path logFile, Consumer<String> progress) {
        this(kind, logFile, Registry.DEFAULT_RECOVERY_DELAY, progress);
    }

    /** With a registry whose recoveries wait {@code recoveryDelay} (short ones let a benchmark complete them). */
    LocalRun(Path logFile, Duration recoveryDelay, Consumer<String> progress) {
        this(NodeKind.HARDHAT, logFile, recoveryDelay, progress);
    }

    LocalRun(NodeKind kind, Path logFile, Duration recoveryDelay, Consumer<String> progress) {
        long start = System.nanoTime();
        this.node = LocalNode.start(kind, ProjectRoot.find(), logFile, progress, false);
        this.startMillis = (System.nanoTime() - start) / 1_000_000;
        try {
            this.chain = Chain.connect(node.rpcUrl());
            IdentityKey deployer = fundedKey();
            long deployStart = System.nanoTime();
            this.deployment = Registry.deploy(chain, deployer.credentials(), recoveryDelay, progress);
            this.deployMillis = (System.nanoTime() - deployStart) / 1_000_000;
            long messengerStart = System.nanoTime();
            this.messengerDeployment = MessengerContract.deploy(chain, deployer.credentials(),
                    deployment.registry().address(), progress);
            this.messengerDeployMillis = (System.nanoTime() - messengerStart) / 1_000_000;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    Registry registry() {
        return deployment.registry();
    }

    MessengerContract messenger() {
        return messengerDeployment.messenger();
    }

    /**
     * One block every {@code blockTime} (Hardhat's and Anvil's interval mining), or, with null,
     * a block per transaction again (anything left in the pool is mined first).
     */
    void mineEvery(Duration blockTime) {
        if (node.kind() == NodeKind.GANACHE) {
            throw new PeerkeyException("a fixed block time needs Hardhat or Anvil (Ganache has no interval"
                    + " mining): pass --node hardhat or --node anvil");
        }
        boolean interval = blockTime != null;
        if (interval && node.kind() == NodeKind.ANVIL && (blockTime.toMillis() % 1000 != 0 || blockTime.isZero())) {
            throw new PeerkeyException("Anvil's block time is whole seconds, not " + blockTime.toMillis()
                    + " ms");
        }
        // Hardhat takes the interval in milliseconds, Anvil in seconds.
        long period = !interval ? 0 : node.kind() == NodeKind.ANVIL ? blockTime.toSeconds() : blockTime.toMillis();
        chain.send(chain.request("evm_setAutomine", List.of(!interval), NodeAnswer.class));
        chain.send(chain.request("evm_setIntervalMining", List.of(period), NodeAnswer.class));
        if (!interval) {
            chain.send(chain.request("evm_mine", List.of(), NodeAnswer.class));
        }
    }

    /** Any answer of a development method. */
    public static final class NodeAnswer extends org.web3j.protocol.core.Response<Object> { }

    /** A new key whose account the node has funded. */
    IdentityKey fundedKey() {
        IdentityKey key = IdentityKey.generate();
        chain.fundFromDevAccount(key.address(), FUNDING);
        return key;
    }

    @Override
    public void close() {
        chain.close();
        node.close();
    }
}
