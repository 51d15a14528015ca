package dev.peerkey.chain;

import java.math.BigInteger;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
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
 *
 * <p>Several senders may share one account (two processes of one identity): when another
 * transaction takes the nonce between reading and sending, it signs again with the next
 * pending nonce, a few times, instead of failing.
 */
public final class Transactor extends TransactionManager {
    private static final BigInteger DEFAULT_TIP = BigInteger.valueOf(1_000_000_000L);
    private static final Pattern HEX_DATA = Pattern.compile("0x[0-9a-fA-F]*");
    /** Signing attempts when another sender from the same account takes the nonce first. */
    static final int NONCE_ATTEMPTS = 10;

    private final Chain chain;
    private final Credentials credentials;
    private final RevertDecoder revertDecoder;
    private final Consumer<String> progress;

    public Transactor(Chain chain, Credentials credentials, RevertDecoder revertDecoder, Consumer<String> progress) {
        this(chain, credentials.getAddress(), credentials, revertDecoder, progress);
    }

    private Transactor(Chain chain, String from, Credentials credentials, RevertDecoder revertDecoder,
                       Consumer<String> progress) {
        super(new FastReceipts(chain, progress), from);
        this.chain = chain;
        this.credentials = credentials;
        this.revertDecoder = revertDecoder;
        this.progress = progress;
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
        Fees fees = fees();
        for (int attempt = 1; ; attempt++) {
            // Only the nonce is read between attempts, so another sender has the shortest window to take it.
            BigInteger nonce = chain.send(chain.web3j().ethGetTransactionCount(
                    getFromAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
            RawTransaction raw = fees.transaction(chain.chainId(), nonce, gasLimit, target == null ? "" : target,
                    value, data);
            byte[] signed = TransactionEncoder.signMessage(raw, chain.chainId(), credentials);
            EthSendTransaction sent = chain.sendRaw(chain.web3j().ethSendRawTransaction(Numeric.toHexString(signed)));
            if (!sent.hasError()) {
                return sent;
            }
            String error = sent.getError().getMessage();
            switch (NonceConflict.of(error)) {
                case ALREADY_KNOWN -> {
                    return accepted(Numeric.toHexString(Hash.sha3(signed))); // these very bytes are pending
                }
                case NONCE_TAKEN -> {
                    if (attempt == NONCE_ATTEMPTS) {
                        throw new ChainException("chain node at " + chain.rpcUrl() + " refused " + NONCE_ATTEMPTS
                                + " nonces in a row for account " + getFromAddress() + ", each taken by another"
                                + " transaction from it (is another process sending from this identity?): " + error);
                    }
                    progress.accept("nonce " + nonce + " of " + getFromAddress()
                            + " was just taken by another transaction; retrying with the next one…");
                    pause(attempt);
                }
                case NONE -> throw InsufficientFundsException.matches(error)
                        ? new InsufficientFundsException(getFromAddress(), chain.balance(getFromAddress()),
                                fees.maxCost(gasLimit, value))
                        : new ChainException("chain node at " + chain.rpcUrl()
                                + " answered eth_sendRawTransaction with an error: " + error);
            }
        }
    }

    /** How the node's refusal of a signed transaction relates to its nonce. */
    enum NonceConflict {
        /** The nonce went to another transaction first: sign again with a fresh pending nonce. */
        NONCE_TAKEN,
        /** This exact transaction is already in the pool, so it was sent. */
        ALREADY_KNOWN,
        /** Any other refusal. */
        NONE;

        /**
         * Classifies a refusal by its message, in Geth's words ("nonce too low", "replacement
         * transaction underpriced", "already known") or Hardhat 3's ("Nonce too low. Expected nonce
         * to be 1 but got 0…", "Transaction nonce too low…", "Replacement transaction
         * underpriced…", "Known transaction: 0x…").
         */
        static NonceConflict of(String message) {
            String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
            if (m.contains("already known") || m.contains("known transaction")) {
                return ALREADY_KNOWN;
            }
            if (m.contains("nonce too low") || m.contains("replacement transaction underpriced")) {
                return NONCE_TAKEN;
            }
            return NONE;
        }
    }

    private static EthSendTransaction accepted(String txHash) {
        EthSendTransaction response = new EthSendTransaction();
        response.setResult(txHash);
        return response;
    }

    /**
     * None after the first conflict (the winner is then busy waiting for its receipt), then a
     * short random pause, so two senders that keep colliding fall out of step.
     */
    private static void pause(int attempt) {
        if (attempt == 1) {
            return;
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while retrying a transaction", e);
        }
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

    /** The fees to offer: EIP-1559 (tip and max fee) if the chain has a base fee, else a legacy gas price. */
    private record Fees(BigInteger gasPrice, BigInteger tip, BigInteger maxFee) {
        RawTransaction transaction(long chainId, BigInteger nonce, BigInteger gasLimit, String to, BigInteger value,
                String data) {
            return gasPrice != null
                    ? RawTransaction.createTransaction(nonce, gasPrice, gasLimit, to, value, data)
                    : RawTransaction.createTransaction(chainId, nonce, gasLimit, to, value, data, tip, maxFee);
        }

        /** The most the transaction can cost its sender: what the node checks the balance against. */
        BigInteger maxCost(BigInteger gasLimit, BigInteger value) {
            return gasLimit.multiply(gasPrice != null ? gasPrice : maxFee).add(value == null ? BigInteger.ZERO : value);
        }
    }

    private Fees fees() {
        EthBlock.Block latest = chain.send(
                chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
        String baseFeeHex = latest.getBaseFeePerGasRaw();
        if (baseFeeHex == null) {
            return new Fees(chain.send(chain.web3j().ethGasPrice()).getGasPrice(), null, null);
        }
        BigInteger baseFee = Numeric.decodeQuantity(baseFeeHex);
        BigInteger tip = priorityFee();
        return new Fees(null, tip, baseFee.shiftLeft(1).add(tip));
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
