package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.ChainException;
import dev.peerkey.chain.EvmFeatures;
import dev.peerkey.chain.EvmFeatures.Feature;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.generated.IdentityRegistry;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Issue 10, item 10: `deploy` checks that the node can run the contracts before it spends gas, and
 * names what is missing. The node is a real Ganache 7.9.2 started with the London rules, which
 * lack PUSH0 (Shanghai), an opcode of the contracts' Shanghai build.
 */
class DeployPreflightIT {
    private static final String MISSING = "lacks PUSH0 (EIP-3855, Shanghai)";

    @TempDir
    static Path dir;

    private static TestChain london;

    @BeforeAll
    static void startLondonNode() {
        london = TestChain.start(NodeKind.GANACHE, List.of("--chain.hardfork", "london"));
    }

    @AfterAll
    static void stop() {
        london.close();
    }

    private static BigInteger nonce(String address) {
        return london.chain().send(london.chain().web3j().ethGetTransactionCount(address,
                DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    @Test
    void theProbeFindsExactlyWhatTheNodeLacks() {
        for (String code : new String[] {IdentityRegistry.BINARY, Messenger.BINARY}) {
            assertEquals(List.of(Feature.PUSH0), EvmFeatures.missing(london.chain(), EvmFeatures.used(code)));
        }
    }

    @Test
    void deployingThroughTheLibraryFailsBeforeAnythingIsSent() {
        IdentityKey deployer = london.fundedKey();
        long block = london.chain().blockNumber();

        ChainException registry = assertThrows(ChainException.class,
                () -> Registry.deploy(london.chain(), deployer.credentials(), m -> { }));
        assertTrue(registry.getMessage().contains("cannot run the identity registry: it " + MISSING),
                registry.getMessage());
        assertTrue(registry.getMessage().contains("nothing was sent"), registry.getMessage());
        ChainException messenger = assertThrows(ChainException.class,
                () -> MessengerContract.requireRunnable(london.chain()));
        assertTrue(messenger.getMessage().contains("cannot run the messenger: it " + MISSING), messenger.getMessage());

        assertEquals(BigInteger.ZERO, nonce(deployer.address()), "no transaction from the deployer");
        assertEquals(block, london.chain().blockNumber(), "no block mined");
    }

    @Test
    void theDeployCommandNamesTheMissingOpcodeInOneLineAndSpendsNothing() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n");
        Cli cli = new Cli(Map.of("PEERKEY_HOME", dir.resolve("home").toString(),
                "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString(), "PEERKEY_PASSWORD_FILE", password.toString()));
        long block = london.chain().blockNumber();

        Cli.Result result = cli.run("deploy", "--rpc", london.rpcUrl());

        assertEquals(1, result.exitCode(), result::toString);
        List<String> errors = result.stderr().strip().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), result::toString);
        assertTrue(errors.get(0).contains("cannot run the identity registry: it " + MISSING), result::toString);
        assertTrue(errors.get(0).contains("the node answered: VM Exception while processing transaction: invalid opcode"),
                result::toString);
        assertEquals(block, london.chain().blockNumber(), "not even the throwaway deployer was funded");
    }
}
