package dev.peerkey.chain;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.TransactionManager;
import org.web3j.utils.Numeric;

/**
 * Signs and sends transactions for one account, for use under web3j contract wrappers.
 * Before spending gas it simulates the call, so a rejection surfaces as the contract's
 * own custom error ({@link RevertException}); gas is estimated, fees follow the node's
 * base fee, and receipts are polled fast. The gas figures a wrapper passes in are ignored.
 *
 * <p>Several senders may share one account (two processes of one identity): when another
 * transaction takes the nonce between reading and sending, it signs again with the next
 * pending nonce, a few times, instead of failing. A local development node can still accept both
 * transactions of one nonce and then drop one (Anvil does, when they race its miner): there, a
 * transaction whose nonce went to another and that the node no longer knows is sent again,
 * simulated afresh. Not on other chains: a provider's replicas can disagree for a while about the
 * nonce, the pool and the receipt, and a copy sent then could be mined as well.
 */
public final class Transactor extends TransactionManager {
    private static final BigInteger DEFAULT_TIP = BigInteger.valueOf(1_000_000_000L);
    private static final Pattern HEX_DATA = Pattern.compile("0x[0-9a-fA-F]*");
    /** Signing attempts when another sender from the same account takes the nonce first. */
    static final int NONCE_ATTEMPTS = 10;
    /** Times a transaction the node dropped is sent again before giving up. */
    static final int RESENDS = 3;
    /** Gas of a plain ether transfer to an account without code. */
    private static final BigInteger TRANSFER_GAS = BigInteger.valueOf(21_000);
    /** A chain whose latest block is older than this by our clock is idle: the next block is made now. */
    static final long IDLE_AFTER_SECONDS = 60;
    /** The contracts' MAX_CLOCK_SKEW: how far a signed time may lie after the block time. */
    static final long MAX_CLOCK_SKEW_SECONDS = 5 * 60;
    /**
     * Gas limit for a transaction the node could not estimate on an idle chain (it simulates only
     * against its old latest block); above every peerkey transaction's use, and unused gas is not paid.
     */
    static final BigInteger IDLE_FALLBACK_GAS = BigInteger.valueOf(1_500_000);
    /** Selector of the registry's FutureTimestamp(uint40 signedAt, uint40 blockTime), shared by the messenger. */
    private static final String FUTURE_TIMESTAMP =
            Numeric.toHexString(Hash.sha3("FutureTimestamp(uint40,uint40)".getBytes(StandardCharsets.US_ASCII)))
                    .substring(0, 10);

    private final Chain chain;
    private final Credentials credentials;
    private final RevertDecoder revertDecoder;
    private final Consumer<String> progress;
    private final Clock clock = Clock.systemUTC();
    /** What this transactor sent and nobody has awaited yet, by transaction hash: how to send it again. */
    private final Map<String, Unmined> unmined = new ConcurrentHashMap<>();

    /** A sent transaction's nonce, and how to send the same call again if the node drops it. */
    private record Unmined(BigInteger nonce, Supplier<String> resend) { }

    /** A signed transaction the node took. */
    private record Sent(String hash, BigInteger nonce) { }

    public Transactor(Chain chain, Credentials credentials, RevertDecoder revertDecoder, Consumer<String> progress) {
        this(chain, credentials.getAddress(), credentials, revertDecoder, progress);
    }

    private Transactor(Chain chain, String from, Credentials credentials, RevertDecoder revertDecoder,
                       Consumer<String> progress) {
        super(chain.web3j(), from); // its receipt processor goes unused: processResponse waits here
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
        EthBlock.Block latest = latestBlock();
        MiningTime mining = MiningTime.of(latest, clock.instant().getEpochSecond());
        BigInteger gasLimit = simulateAndEstimate(call, mining);
        Sent sent = signAndSend(fees(latest), gasLimit, target, value, data);
        unmined.put(sent.hash(), new Unmined(sent.nonce(),
                () -> sendTransaction(null, null, to, data, value, constructor).getTransactionHash()));
        return accepted(sent.hash());
    }

    /** Web3j's contract wrappers wait here for the receipt of what {@link #sendTransaction} sent. */
    @Override
    protected TransactionReceipt processResponse(EthSendTransaction sent) {
        return awaitReceipt(sent.getTransactionHash());
    }

    /**
     * Moves everything this account holds, less the most the transfer can cost, to {@code to} (a
     * plain account), and waits for the receipt. Empty if the account holds no more than the transfer
     * would cost.
     */
    public Optional<TransactionReceipt> sweep(String to) {
        if (credentials == null) {
            throw new IllegalStateException("a read-only transactor cannot send transactions");
        }
        BigInteger balance = chain.balance(getFromAddress());
        Fees fees = fees(latestBlock());
        BigInteger value = balance.subtract(fees.maxCost(TRANSFER_GAS, BigInteger.ZERO));
        if (value.signum() <= 0) {
            return Optional.empty();
        }
        Sent sent = signAndSend(fees, TRANSFER_GAS, to, value, "");
        return Optional.of(new ReceiptWaiter(chain, progress).await(sent.hash()));
    }

    /**
     * Sends a call to {@code to} without waiting for it to be mined (simulated first, like every
     * send): several sent one after another take consecutive nonces and may share a block. Wait
     * for them with {@link #awaitReceipt}.
     *
     * @return the transaction's hash
     */
    public String submit(String to, String data) {
        return sendTransaction(null, null, to, data, BigInteger.ZERO, false).getTransactionHash();
    }

    /**
     * The receipt of a transaction sent earlier, once it is mined. If this transactor sent it to a
     * local development chain and the node dropped it (its nonce went to another transaction, and
     * the node no longer knows it), the same call is sent again.
     */
    public TransactionReceipt awaitReceipt(String txHash) {
        ReceiptWaiter waiter = new ReceiptWaiter(chain, progress);
        String hash = txHash;
        for (int resend = 0; ; resend++) {
            Unmined sent = unmined.remove(hash);
            if (sent == null || !chain.isDevChain()) {
                return waiter.await(hash);
            }
            String current = hash;
            Optional<TransactionReceipt> receipt = waiter.await(hash, () -> dropped(current, sent.nonce()));
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (resend == RESENDS) {
                throw new ChainException("chain node at " + chain.rpcUrl() + " dropped transaction " + hash
                        + " of account " + getFromAddress() + " (its nonce went to another transaction), "
                        + RESENDS + " times in a row; is another process sending from this identity?");
            }
            progress.accept("chain node dropped transaction " + hash + " (its nonce " + sent.nonce()
                    + " went to another transaction from " + getFromAddress() + "); sending it again…");
            hash = sent.resend().get();
        }
    }

    /** Whether the account's mined nonce passed {@code nonce} and the node no longer knows the transaction. */
    private boolean dropped(String txHash, BigInteger nonce) {
        BigInteger mined = chain.send(chain.web3j().ethGetTransactionCount(
                getFromAddress(), DefaultBlockParameterName.LATEST)).getTransactionCount();
        return mined.compareTo(nonce) > 0
                && chain.send(chain.web3j().ethGetTransactionByHash(txHash)).getTransaction().isEmpty();
    }

    private Sent signAndSend(Fees fees, BigInteger gasLimit, String target, BigInteger value,
            String data) {
        for (int attempt = 1; ; attempt++) {
            // Only the nonce is read between attempts, so another sender has the shortest window to take it.
            BigInteger nonce = chain.send(chain.web3j().ethGetTransactionCount(
                    getFromAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
            RawTransaction raw = fees.transaction(chain.chainId(), nonce, gasLimit, target == null ? "" : target,
                    value, data);
            byte[] signed = TransactionEncoder.signMessage(raw, chain.chainId(), credentials);
            if (Thread.currentThread().isInterrupted()) {
                // Cancelled (the unlock agent's client went away, Ctrl-C): nothing is sent after that.
                throw new ChainException("cancelled before sending the transaction");
            }
            EthSendTransaction sent = chain.sendRaw(chain.web3j().ethSendRawTransaction(Numeric.toHexString(signed)));
            if (!sent.hasError()) {
                return new Sent(sent.getTransactionHash(), nonce);
            }
            String error = sent.getError().getMessage();
            switch (NonceConflict.of(error)) {
                case ALREADY_KNOWN -> {
                    return new Sent(Numeric.toHexString(Hash.sha3(signed)), nonce); // these very bytes are pending
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

    /**
     * When the transaction will be mined, as far as the simulation is concerned: the latest block's
     * time, or on an idle chain (no block for more than {@link #IDLE_AFTER_SECONDS}) our clock, since
     * the block that takes the transaction is made now.
     *
     * @param idle whether the latest block is older than our clock by more than the idle bound
     * @param at the timestamp the next block will have
     * @param latest the latest block's timestamp
     */
    record MiningTime(boolean idle, long at, long latest) {
        static MiningTime of(EthBlock.Block latest, long now) {
            long last = latest.getTimestamp().longValueExact();
            return new MiningTime(now - last > IDLE_AFTER_SECONDS, Math.max(now, last + 1), last);
        }
    }

    /**
     * Simulates the call against the block that will take it and estimates its gas there. On a
     * busy chain that is the latest block. On an idle one the latest block may be hours old, and
     * a signed timestamp that is right by every clock looks "ahead of chain time" against it; so
     * the call runs against a block at our time: through a block override of the timestamp
     * (Geth, Anvil), else against the pending block (Hardhat makes it at the current time), else,
     * if the node can only simulate against its old block, the one refusal that time explains
     * (the registry's FutureTimestamp, with a signed time our clock agrees with) does not stop the
     * transaction, which is then sent with {@link #IDLE_FALLBACK_GAS}.
     */
    private BigInteger simulateAndEstimate(Transaction call, MiningTime mining) {
        if (!mining.idle()) {
            EthCall result = rawCall(call, DefaultBlockParameterName.LATEST);
            if (result.hasError() || result.isReverted()) {
                throw revertDecoder.decode(revertData(result));
            }
            return headroom(estimateGas(call, List.of()));
        }
        Map<String, Object> override = Map.of("time", Numeric.encodeQuantity(BigInteger.valueOf(mining.at())));
        EthCall overridden = rawCall(call, List.of("latest", Map.of(), override));
        if (!unsupported(overridden)) {
            if (overridden.hasError() || overridden.isReverted()) {
                throw revertDecoder.decode(revertData(overridden));
            }
            EthEstimateGas estimate = chain.sendRaw(estimateRequest(call, List.of("latest", Map.of(), override)));
            if (!estimate.hasError()) {
                return headroom(estimate.getAmountUsed());
            }
            // Some nodes override blocks in eth_call only: the pending block is the next try.
        }
        EthCall pending = rawCall(call, List.of("pending"));
        if (!pending.hasError() && !pending.isReverted()) {
            EthEstimateGas estimate = chain.sendRaw(estimateRequest(call, List.of("pending")));
            if (!estimate.hasError()) {
                return headroom(estimate.getAmountUsed());
            }
            return IDLE_FALLBACK_GAS;
        }
        String data = revertData(pending);
        if (explainedByIdleness(data, mining)) {
            progress.accept("the chain's latest block is " + (mining.at() - mining.latest())
                    + " s old and the node cannot simulate a newer one; sending without the full check");
            return IDLE_FALLBACK_GAS;
        }
        throw revertDecoder.decode(data);
    }

    /**
     * Whether revert data is the registry's FutureTimestamp(signedAt, blockTime) for a signed time
     * that our clock agrees with (no later than the mining time plus the contracts' allowed skew)
     * and a block time older than the mining time: the chain is idle, not our clock wrong.
     */
    static boolean explainedByIdleness(String revertData, MiningTime mining) {
        if (revertData == null || !revertData.toLowerCase(Locale.ROOT).startsWith(FUTURE_TIMESTAMP)
                || revertData.length() != 10 + 128) {
            return false;
        }
        BigInteger signedAt = Numeric.toBigInt(revertData.substring(10, 74));
        BigInteger blockTime = Numeric.toBigInt(revertData.substring(74));
        return signedAt.compareTo(BigInteger.valueOf(mining.at() + MAX_CLOCK_SKEW_SECONDS)) <= 0
                && blockTime.compareTo(BigInteger.valueOf(mining.at())) < 0;
    }

    /** Whether the node refused the request's form (extra parameters it does not know), not the call itself. */
    private static boolean unsupported(EthCall result) {
        if (!result.hasError()) {
            return false;
        }
        Response.Error error = result.getError();
        if (error.getData() != null && HEX_DATA.matcher(error.getData()).find() && !"0x".equals(error.getData())) {
            return false; // revert data: the node ran the call
        }
        String m = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
        return error.getCode() == -32602 || m.contains("invalid params") || m.contains("invalid argument")
                || m.contains("trailing") || m.contains("too many") || m.contains("unexpected")
                || m.contains("not supported") || m.contains("unsupported") || m.contains("incorrect number");
    }

    private EthCall rawCall(Transaction call, DefaultBlockParameter block) {
        return chain.sendRaw(chain.web3j().ethCall(call, block));
    }

    /** eth_call with parameters after the call object: a block tag, state and block overrides. */
    private EthCall rawCall(Transaction call, List<Object> after) {
        List<Object> params = new ArrayList<>();
        params.add(call);
        params.addAll(after);
        return chain.sendRaw(chain.request("eth_call", params, EthCall.class));
    }

    private Request<?, EthEstimateGas> estimateRequest(Transaction call, List<Object> after) {
        List<Object> params = new ArrayList<>();
        params.add(call);
        params.addAll(after);
        return chain.request("eth_estimateGas", params, EthEstimateGas.class);
    }

    /** The node's estimate; with no block given, the node's default (latest or pending). */
    private BigInteger estimateGas(Transaction call, List<Object> after) {
        return after.isEmpty() ? chain.send(chain.web3j().ethEstimateGas(call)).getAmountUsed()
                : chain.send(estimateRequest(call, after)).getAmountUsed();
    }

    /** Headroom for state that changes between estimate and inclusion. */
    private static BigInteger headroom(BigInteger estimate) {
        return estimate.multiply(BigInteger.valueOf(6)).divide(BigInteger.valueOf(5));
    }

    private EthBlock.Block latestBlock() {
        return chain.send(chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
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

    private Fees fees(EthBlock.Block latest) {
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
}
