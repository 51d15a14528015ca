package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import java.time.Duration;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey deploy`: put a new identity registry and its messenger on the chain and remember both. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy a new identity registry and a messenger bound to it, and record their"
                + " addresses for later commands.",
            "On a local development chain a throwaway account funded by the node pays;"
                    + " elsewhere the profile's identity (--id) pays."})
final class DeployCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Identity whose account pays (not on a local chain).")
    String identity;

    @Option(names = "--recovery-delay", paramLabel = "DURATION", defaultValue = "3d",
            converter = DurationConverter.class,
            description = "How long a recovery key's rotation waits before it can complete, whole seconds"
                    + " (e.g. 3d, 12h, 30s; default: ${DEFAULT-VALUE}).")
    Duration recoveryDelay;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            // Both checked before anything is paid, so a node that cannot run one costs nothing.
            Registry.requireRunnable(ctx.chain());
            MessengerContract.requireRunnable(ctx.chain());
            Credentials deployer = deployer(ctx);
            Registry.Deployment deployment = Registry.deploy(ctx.chain(), deployer, recoveryDelay, ctx.out::progress);
            String address = deployment.registry().address();
            long block = deployment.tx().blockNumber();
            MessengerContract.Deployment messenger =
                    MessengerContract.deploy(ctx.chain(), deployer, address, ctx.out::progress);
            String messengerAddress = messenger.messenger().address();
            long messengerBlock = messenger.tx().blockNumber();
            String rpc = ctx.chain().rpcUrl();
            ctx.localChain().filter(state -> rpc.equals(state.rpc())).ifPresentOrElse(
                    state -> state.withRegistry(address, block, messengerAddress, messengerBlock)
                            .write(options.chainDir),
                    () -> ctx.profile().save(ctx.profile().config()
                            .withRegistry(rpc, address, block, messengerAddress, messengerBlock)));
            var fields = Output.fields();
            fields.put("registry", address);
            fields.put("messenger", messengerAddress);
            fields.put("chainId", ctx.chain().chainId());
            fields.put("block", block);
            fields.put("recoveryDelaySeconds", recoveryDelay.toSeconds());
            fields.put("txHash", deployment.tx().txHash());
            fields.put("gasUsed", deployment.tx().gasUsed());
            fields.put("messengerGasUsed", messenger.tx().gasUsed());
            ctx.out.result(fields);
        }
    }

    private Credentials deployer(Context ctx) {
        if (ctx.chain().isDevChain()) {
            IdentityKey throwaway = IdentityKey.generate();
            ctx.fundIfDevChain(throwaway.address());
            return throwaway.credentials();
        }
        return ctx.currentKey(ctx.profile().identity(identity)).credentials();
    }
}
