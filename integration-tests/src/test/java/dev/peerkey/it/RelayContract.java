package dev.peerkey.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.chain.RevertDecoder;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import dev.peerkey.identity.IdentityKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The test contract {@code contracts/test/Relay.sol}, deployed from its Hardhat artifact: it
 * forwards any calldata to any contract, as a front-runner, a multicall or a bundler would, so
 * the target sees the relay as {@code msg.sender}.
 */
public final class RelayContract {
    private final TestChain node;
    private final String address;

    private RelayContract(TestChain node, String address) {
        this.node = node;
        this.address = address;
    }

    /** Deploys a relay, paid by {@code payer}. */
    public static RelayContract deploy(TestChain node, IdentityKey payer) {
        Path artifact = TestChain.projectRoot().resolve("artifacts/contracts/test/Relay.sol/Relay.json");
        String bytecode;
        try {
            bytecode = new ObjectMapper().readTree(artifact.toFile()).path("bytecode").asText();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Relay artifact (run `npx hardhat build`)", e);
        }
        TransactionReceipt receipt = send(node, payer, null, bytecode, true,
                data -> new RevertException("revert", "deploying the relay reverted"));
        return new RelayContract(node, receipt.getContractAddress());
    }

    public String address() {
        return address;
    }

    /**
     * Sends {@code calldata} to {@code target} through the relay from {@code sender}'s account.
     *
     * @param errors decodes the target's revert data, which the relay passes on unchanged
     */
    public TransactionReceipt forward(IdentityKey sender, String target, String calldata, RevertDecoder errors) {
        String data = FunctionEncoder.encode(new Function("forward",
                List.of(new Address(target), new DynamicBytes(Numeric.hexStringToByteArray(calldata))), List.of()));
        return send(node, sender, address, data, false, errors);
    }

    private static TransactionReceipt send(TestChain node, IdentityKey sender, String to, String data,
                                           boolean constructor, RevertDecoder errors) {
        Transactor transactor = new Transactor(node.chain(), sender.credentials(), errors, m -> { });
        String hash = transactor.sendTransaction(null, null, to, data, BigInteger.ZERO, constructor)
                .getTransactionHash();
        return node.receipt(hash);
    }
}
