package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How commands find the messenger: the flag, else the profile, else the local chain; never a mismatched one. */
class ContextIT {
    private static TestChain node;
    private static Registry.Deployment registry;
    private static MessengerContract.Deployment messenger;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        node = TestChain.start();
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { });
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(),
                registry.registry().address(), m -> { });
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private GlobalOptions options() {
        GlobalOptions options = new GlobalOptions();
        options.home = dir.resolve("home");
        options.chainDir = dir.resolve("chain");
        options.rpc = node.rpcUrl();
        return options;
    }

    private static String messengerAddress() {
        return messenger.messenger().address();
    }

    @Test
    void withoutADeploymentTheErrorSaysHowToGetOne() {
        try (Context ctx = new Context(options())) {
            PeerkeyException e = assertThrows(PeerkeyException.class, ctx::messenger);
            assertEquals("no messenger: deploy one with `peerkey deploy`, or pass --messenger ADDRESS", e.getMessage());
            assertEquals(0, ctx.messengerBlock());
        }
    }

    @Test
    void theFlagNamesTheMessenger() {
        GlobalOptions options = options();
        options.messenger = messengerAddress();
        try (Context ctx = new Context(options)) {
            assertEquals(messengerAddress(), ctx.messenger().address());
        }
    }

    @Test
    void theProfileRecordsTheMessengerAndItsBlock() {
        GlobalOptions options = options();
        new Profile(options.home, false).save(Profile.Config.empty().withRegistry(node.rpcUrl(),
                registry.registry().address(), registry.tx().blockNumber(), messengerAddress(),
                messenger.tx().blockNumber()));
        try (Context ctx = new Context(options)) {
            assertEquals(messengerAddress(), ctx.messenger().address());
            assertEquals(messenger.tx().blockNumber(), ctx.messengerBlock());
            assertEquals(registry.tx().blockNumber(), ctx.registryBlock());
        }
    }

    @Test
    void theLocalChainRecordsTheMessengerAndItsBlock() {
        GlobalOptions options = options();
        new LocalChainState(node.rpcUrl(), ProcessHandle.current().pid(), "node.log")
                .withRegistry(registry.registry().address(), registry.tx().blockNumber(), messengerAddress(),
                        messenger.tx().blockNumber())
                .write(options.chainDir);
        try (Context ctx = new Context(options)) {
            assertEquals(messengerAddress(), ctx.messenger().address());
            assertEquals(messenger.tx().blockNumber(), ctx.messengerBlock());
        }
    }

    @Test
    void aMessengerBoundToAnotherRegistryIsRefused() {
        String otherRegistry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { })
                .registry().address();
        GlobalOptions options = options();
        options.registry = otherRegistry;
        options.messenger = messengerAddress();
        try (Context ctx = new Context(options)) {
            PeerkeyException e = assertThrows(PeerkeyException.class, ctx::messenger);
            assertTrue(e.getMessage().startsWith("the messenger at " + messengerAddress() + " is bound to the registry"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("not to " + otherRegistry + ": pass a matching --messenger or --registry"),
                    e.getMessage());
        }
    }
}
