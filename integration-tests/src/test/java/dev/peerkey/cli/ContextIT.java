package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.chain.NodeKind;
import dev.peerkey.it.TestChain;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** How commands find the messenger: the flag, else the profile, else the local chain; never a mismatched one. */
@ParameterizedClass(name = "{0}")
@MethodSource(TestChain.MATRIX)
class ContextIT {
    /** The node this run of the class tests against. */
    @Parameter
    NodeKind kind;

    private static TestChain node;
    private static Registry.Deployment registry;
    private static MessengerContract.Deployment messenger;

    @TempDir
    Path dir;

    @BeforeParameterizedClassInvocation
    static void deploy(NodeKind kind) {
        node = TestChain.start(kind);
        registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { });
        messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(),
                registry.registry().address(), m -> { });
    }

    @AfterParameterizedClassInvocation
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
                node.chain().chainKey(), registry.registry().address(), registry.tx().blockNumber(), messengerAddress(),
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

    /** The spellings of one loopback endpoint a user may type (issue 10, item 9). */
    private static java.util.List<String> spellings() {
        String port = node.rpcUrl().replaceAll(".*:(\\d+)/?$", "$1");
        return java.util.List.of("http://127.0.0.1:" + port + "/", "http://127.0.0.1:" + port, "http://localhost:" + port,
                "http://LOCALHOST:" + port + "/");
    }

    @Test
    void aProfileRecordIsFoundUnderEverySpellingOfTheUrl() {
        GlobalOptions recording = options();
        new Profile(recording.home, false).save(Profile.Config.empty().withRegistry(spellings().get(0),
                node.chain().chainKey(), registry.registry().address(), registry.tx().blockNumber(), messengerAddress(),
                messenger.tx().blockNumber()));
        for (String rpc : spellings()) {
            GlobalOptions options = options();
            options.rpc = rpc;
            try (Context ctx = new Context(options)) {
                assertEquals(registry.registry().address(), ctx.registry().address(), rpc);
                assertEquals(messengerAddress(), ctx.messenger().address(), rpc);
                assertEquals(registry.tx().blockNumber(), ctx.registryBlock(), rpc);
                assertEquals(messenger.tx().blockNumber(), ctx.messengerBlock(), rpc);
            }
        }
    }

    @Test
    void theLocalChainsRecordIsFoundUnderEverySpellingOfTheUrl() {
        GlobalOptions recording = options();
        new LocalChainState(spellings().get(1), ProcessHandle.current().pid(), "node.log")
                .withRegistry(registry.registry().address(), registry.tx().blockNumber(), messengerAddress(),
                        messenger.tx().blockNumber())
                .write(recording.chainDir);
        for (String rpc : spellings()) {
            GlobalOptions options = options();
            options.rpc = rpc;
            try (Context ctx = new Context(options)) {
                assertEquals(messengerAddress(), ctx.messenger().address(), rpc);
                assertEquals(messenger.tx().blockNumber(), ctx.messengerBlock(), rpc);
            }
        }
    }

    @Test
    void aRecordForAnotherChainIsNotUsed() {
        GlobalOptions options = options();
        // Same URL spelling as an earlier client wrote it, but recorded for another chain (a restarted node, say).
        new Profile(options.home, false).save(Profile.Config.empty().withRegistry(node.rpcUrl(),
                node.chain().chainId() + ":0x" + "ab".repeat(32), registry.registry().address(),
                registry.tx().blockNumber(), messengerAddress(), messenger.tx().blockNumber()));
        try (Context ctx = new Context(options)) {
            PeerkeyException e = assertThrows(PeerkeyException.class, ctx::messenger);
            assertTrue(e.getMessage().startsWith("no messenger"), e.getMessage());
        }
    }

    @Test
    void withoutARecordTheRegistryTellsWhereScansStart() {
        GlobalOptions options = options();
        options.registry = registry.registry().address();
        options.messenger = messengerAddress();
        try (Context ctx = new Context(options)) {
            assertEquals(registry.tx().blockNumber(), ctx.registry().deployedAt());
            assertEquals(registry.tx().blockNumber(), ctx.messengerBlock(), "the messenger came after its registry");
        }
        options.registry = null;
        try (Context ctx = new Context(options)) {
            assertEquals(registry.tx().blockNumber(), ctx.messengerBlock(), "through the messenger's registry");
        }
    }
}
