package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.registry.Registry;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.registry.generated.IdentityRegistry;
import dev.peerkey.transport.generated.Messenger;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.utils.Convert;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey deploy`: put a new identity registry and its messenger on the chain and remember both. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy a new identity registry and a messenger bound to it, and record their"
                + " addresses for later commands.",
            "On a local development chain a throwaway account funded by the node pays;"
                    + " elsewhere the profile's identity (--id) pays.",
            "A chain (chain id and genesis hash) that already has a recorded deployment gets no second one"
                    + " unless --new: the message names the profiles whose record would be replaced."})
final class DeployCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Identity whose account pays (default: on a local chain a throwaway account the node funds, elsewhere the profile's default identity).")
    String identity;

    @Option(names = "--recovery-delay", paramLabel = "DURATION", defaultValue = "3d",
            converter = DurationConverter.class,
            description = "How long a recovery key's rotation waits before it can complete, whole seconds"
                    + " (e.g. 3d, 12h, 30s; default: ${DEFAULT-VALUE}).")
    Duration recoveryDelay;

    @Option(names = "--new", description = "Deploy even though this chain already has a recorded deployment,"
            + " and replace the record (profiles that used the old one then use the new, empty one).")
    boolean replace;

    @Option(names = "--yes", description = "Deploy on a chain that is not a local development chain without"
            + " asking, after printing the gas and its cost.")
    boolean yes;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            DeploymentRecords records = DeploymentRecords.find(ctx);
            if (!records.isEmpty()) {
                if (!replace) {
                    throw new PeerkeyException(records.describe() + ": pass --new to deploy another and replace "
                            + records.replaced());
                }
                ctx.out.progress("deploying anew: this replaces " + records.replaced());
            }
            // Both checked before anything is paid, so a node that cannot run one costs nothing.
            Registry.requireRunnable(ctx.chain());
            MessengerContract.requireRunnable(ctx.chain());
            Credentials deployer = deployer(ctx);
            if (!ctx.chain().isDevChain()) {
                confirmCost(ctx, deployer.getAddress());
            }
            Registry.Deployment deployment = Registry.deploy(ctx.chain(), deployer, recoveryDelay, ctx.out::progress);
            String address = deployment.registry().address();
            long block = deployment.tx().blockNumber();
            MessengerContract.Deployment messenger =
                    MessengerContract.deploy(ctx.chain(), deployer, address, ctx.out::progress);
            String messengerAddress = messenger.messenger().address();
            long messengerBlock = messenger.tx().blockNumber();
            String rpc = ctx.chain().rpcUrl();
            // Recorded by chain (id and genesis hash), so any spelling of the URL finds it.
            boolean local = ctx.localChain().filter(ctx::isThisChain).map(state -> {
                state.withRegistry(address, block, messengerAddress, messengerBlock).write(options.chainDir);
                return true;
            }).orElse(false);
            if (!local || records.hasOwn()) { // a profile's own record would hide the local chain's
                ctx.profile().save(ctx.profile().config()
                        .withRegistry(rpc, ctx.chain().chainKey(), address, block, messengerAddress, messengerBlock));
            }
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

    /**
     * On a chain where gas costs money: prints the two deployments' estimated gas and cost at the
     * current gas price, then asks on a terminal; without one, only --yes goes ahead.
     */
    private void confirmCost(Context ctx, String from) {
        String registryData = IdentityRegistry.BINARY + FunctionEncoder.encodeConstructor(
                List.of(new Uint32(BigInteger.valueOf(recoveryDelay.toSeconds()))));
        // The messenger's one argument is the registry's address, not known yet: any non-zero one costs the same.
        String messengerData = Messenger.BINARY + FunctionEncoder.encodeConstructor(List.of(new Address(from)));
        BigInteger registryGas = estimate(ctx, from, registryData);
        BigInteger messengerGas = estimate(ctx, from, messengerData);
        BigInteger gas = registryGas.add(messengerGas);
        BigInteger price = ctx.chain().send(ctx.chain().web3j().ethGasPrice()).getGasPrice();
        String cost = Convert.fromWei(new BigDecimal(gas.multiply(price)), Convert.Unit.ETHER).stripTrailingZeros()
                .toPlainString();
        String gwei = Convert.fromWei(new BigDecimal(price), Convert.Unit.GWEI).stripTrailingZeros().toPlainString();
        String line = "deploying costs about " + gas + " gas (registry " + registryGas + ", messenger " + messengerGas
                + "): about " + cost + " ETH at the current gas price of " + gwei + " gwei, paid by "
                + org.web3j.crypto.Keys.toChecksumAddress(from);
        ctx.out.progress(line);
        if (yes) {
            return;
        }
        if (!Terminal.interactive()) {
            throw new PeerkeyException("chain " + ctx.chain().chainId() + " is not a local development chain and"
                    + " deploying there costs about " + cost + " ETH: pass --yes to deploy (no terminal to ask on)");
        }
        String answer = System.console().readLine("Deploy? [y/N] ");
        if (answer == null || !answer.strip().toLowerCase().startsWith("y")) {
            throw new PeerkeyException("not deployed: nothing was sent");
        }
    }

    private static BigInteger estimate(Context ctx, String from, String data) {
        var call = new java.util.LinkedHashMap<String, String>();
        call.put("from", from);
        call.put("data", data);
        return ctx.chain().send(ctx.chain().request("eth_estimateGas", List.of(call), EthEstimateGas.class))
                .getAmountUsed();
    }

    private Credentials deployer(Context ctx) {
        if (identity != null) { // honoured on a dev chain too: funded there if it needs to be
            IdentityKey key = ctx.currentKey(ctx.profile().identity(identity));
            ctx.fundIfDevChain(key.address());
            return key.credentials();
        }
        if (ctx.chain().isDevChain()) {
            IdentityKey throwaway = IdentityKey.generate();
            ctx.fundIfDevChain(throwaway.address());
            return throwaway.credentials();
        }
        return ctx.currentKey(ctx.profile().identity(identity)).credentials();
    }
}
