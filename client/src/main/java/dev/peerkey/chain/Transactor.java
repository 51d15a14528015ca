package dev.peerkey.chain;

import java.math.BigInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.response.TransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * Signs and sends transactions for one account, for use under web3j contract wrappers.
 * Before spending gas it simulates the call, so a rejection surfaces as the contract's
 * own custom error ({@link RevertException}); gas is estimated, fees follow the node's
 * base fee, and receipts are polled fast. The gas figures a wrapper passes in are ignored.
 */
public final class Transactor extends TransactionManager {
    private static final BigInteger DEFAULT_TIP = BigInteger.valueOf(1_000_000_000L);
    private static final Pattern HEX_DATA = Pattern.compile("0x[0-9a-fA-F]*");

    private final Chain chain;
    private final Credentials credentials;
    private final RevertDecoder revertDecoder;

    public Transactor(Chain chain, Credentials credentials, RevertDecoder revertDecoder, Consumer<String> progress) {
        this(chain, credentials.getAddress(), credentials, revertDecoder, progress);
    }

    private Transactor(Chain chain, String from, Credentials credentials, RevertDecoder revertDecoder,
                       Consumer<String> progress) {
        super(new FastReceipts(chain, progress), from);
        this.chain = chain;
        this.credentials = credentials;
        this.revertDecoder = revertDecoder;
    }

    /** For view calls only: no account, so it cannot send. */
    public static Transactor readOnly(Chain chain, RevertDecoder revertDecoder) {
        return new Transactor(chain, "0x0000000000000000000000000000000000000000", null, revertDecoder, m -> { });
    }

    @Override
    public EthSendTransaction sendTransaction(
            BigInteger ignoredGasPrice, BigInteger ignoredGasLimit, String to, String data, BigInteger value,
            boolean constructor) {
        if (credentials == null) {
            throw new IllegalStateException("a read-only transactor cannot send transactions");
        }
        String target = constructor ? null : to;
        Transaction call = Transaction.createFunctionCallTransaction(
                getFromAddress(), null, null, null, target, value, data);
        simulate(call);
        BigInteger gasLimit = estimateGas(call);
        BigInteger nonce = chain.send(chain.web3j().ethGetTransactionCount(
                getFromAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
        RawTransaction raw = rawTransaction(nonce, gasLimit, target == null ? "" : target, value, data);
        byte[] signed = TransactionEncoder.signMessage(raw, chain.chainId(), credentials);
        return chain.send(chain.web3j().ethSendRawTransaction(Numeric.toHexString(signed)));
    }

    @Override
    public EthSendTransaction sendEIP1559Transaction(
            long chainId, BigInteger maxPriorityFee, BigInteger maxFee, BigInteger gasLimit, String to,
            String data, BigInteger value, boolean constructor) {
        return sendTransaction(null, gasLimit, to, data, value, constructor);
    }

    @Override
    public String sendCall(String to, String data, DefaultBlockParameter block) {
        EthCall result = rawCall(Transaction.createEthCallTransaction(getFromAddress(), to, data), block);
        if (result.hasError() || result.isReverted()) {
            throw revertDecoder.decode(revertData(result));
        }
        return result.getValue();
    }

    @Override
    public EthGetCode getCode(String address, DefaultBlockParameter block) {
        return chain.send(chain.web3j().ethGetCode(address, block));
    }

    private void simulate(Transaction call) {
        EthCall result = rawCall(call, DefaultBlockParameterName.LATEST);
        if (result.hasError() || result.isReverted()) {
            throw revertDecoder.decode(revertData(result));
        }
    }

    private EthCall rawCall(Transaction call, DefaultBlockParameter block) {
        return chain.sendRaw(chain.web3j().ethCall(call, block));
    }

    private BigInteger estimateGas(Transaction call) {
        BigInteger estimate = chain.send(chain.web3j().ethEstimateGas(call)).getAmountUsed();
        // Headroom for state that changes between estimate and inclusion.
        return estimate.multiply(BigInteger.valueOf(6)).divide(BigInteger.valueOf(5));
    }

    private RawTransaction rawTransaction(
            BigInteger nonce, BigInteger gasLimit, String to, BigInteger value, String data) {
        EthBlock.Block latest = chain.send(
                chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
        String baseFeeHex = latest.getBaseFeePerGasRaw();
        if (baseFeeHex == null) {
            BigInteger gasPrice = chain.send(chain.web3j().ethGasPrice()).getGasPrice();
            return RawTransaction.createTransaction(nonce, gasPrice, gasLimit, to, value, data);
        }
        BigInteger baseFee = Numeric.decodeQuantity(baseFeeHex);
        BigInteger tip = priorityFee();
        BigInteger maxFee = baseFee.shiftLeft(1).add(tip);
        return RawTransaction.createTransaction(chain.chainId(), nonce, gasLimit, to, value, data, tip, maxFee);
    }

    private BigInteger priorityFee() {
        try {
            return chain.send(chain.web3j().ethMaxPriorityFeePerGas()).getMaxPriorityFeePerGas();
        } catch (ChainException e) {
            return DEFAULT_TIP; // not every node implements eth_maxPriorityFeePerGas
        }
    }

    /** The revert data of a failed call, wherever the node put it. */
    static String revertData(EthCall result) {
        if (result.hasError()) {
            Response.Error error = result.getError();
            String data = error.getData();
            if (data != null) {
                Matcher hex = HEX_DATA.matcher(data);
                if (hex.find()) {
                    return hex.group();
                }
            }
            return "";
        }
        return result.getValue() == null ? "" : result.getValue();
    }

    /** Receipt polling through {@link ReceiptWaiter}. */
    private static final class FastReceipts extends TransactionReceiptProcessor {
        private final ReceiptWaiter waiter;

        FastReceipts(Chain chain, Consumer<String> progress) {
            super(chain.web3j());
            this.waiter = new ReceiptWaiter(chain, progress);
        }

        @Override
        public TransactionReceipt waitForTransactionReceipt(String transactionHash) {
            return waiter.await(transactionHash);
        }
    }
}
