package dev.peerkey.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peerkey.registry.generated.IdentityRegistry;
import dev.peerkey.transport.generated.Messenger;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a real node that front-runs. When it sees a raw
 * transaction ({@code eth_sendRawTransaction}) calling the function it was armed for, it first
 * submits the same call from an account of its own and waits until that is mined, and only then
 * passes the victim's transaction on: {@link Mode#COPY} re-sends the identical calldata to the
 * same contract, {@link Mode#RELAY} wraps it in a call through a {@code Relay} contract
 * (contracts/test/Relay.sol), as a front-runner's own contract, a multisig or a bundler would.
 * Everything else passes through unchanged.
 */
public final class FrontRunningProxy implements AutoCloseable {
    /** How the front-runner submits the victim's call. */
    public enum Mode { COPY, RELAY }

    /**
     * One front-run: the function, how, the front-runner's mined transaction (null if it failed, then
     * {@code error} says why), and the node's answer to the victim's transaction passed on after it.
     */
    public record FrontRun(String function, Mode mode, String txHash, String error, String victimAnswer) { }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigInteger GAS_CAP = BigInteger.valueOf(3_000_000);

    private final String upstream;
    private final Web3j web3j;
    private final long chainId;
    private final Credentials frontRunner;
    private final String relay;
    private final Map<String, String> watched;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "front-running-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpServer server;
    private final AtomicReference<Armed> armed = new AtomicReference<>();
    private final List<FrontRun> frontRuns = new CopyOnWriteArrayList<>();

    private record Armed(Mode mode, String function) { }

    private FrontRunningProxy(TestChain node) throws IOException {
        this.upstream = node.rpcUrl();
        this.web3j = Web3j.build(new HttpService(upstream));
        this.chainId = node.chain().chainId();
        this.frontRunner = node.fundedKey().credentials();
        this.watched = watchedSelectors(web3j);
        this.relay = deployRelay(node.fundedKey().credentials());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a proxy in front of {@code node}; it passes everything through until {@link #arm armed}. */
    public static FrontRunningProxy start(TestChain node) {
        try {
            return new FrontRunningProxy(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The front-runner's account: the sender of every copied call and of every relayed one. */
    public String frontRunnerAddress() {
        return frontRunner.getAddress();
    }

    public String relayAddress() {
        return relay;
    }

    /**
     * Front-runs the next raw transaction that calls {@code function} (rotateKey, registerFor,
     * requestAuth or acceptAuth), once.
     */
    public void arm(Mode mode, String function) {
        if (!watched.containsValue(function)) {
            throw new IllegalArgumentException("not a watched function: " + function);
        }
        armed.set(new Armed(mode, function));
    }

    /** Whether the armed front-run is still waiting for its transaction. */
    public boolean isArmed() {
        return armed.get() != null;
    }

    public List<FrontRun> frontRuns() {
        return List.copyOf(frontRuns);
    }

    /** The one front-run done so far, which must have landed, or an assertion error. */
    public FrontRun onlyFrontRun() {
        if (frontRuns.size() != 1 || frontRuns.get(0).txHash() == null) {
            throw new AssertionError("expected exactly one front-run that landed, got " + frontRuns);
        }
        return frontRuns.get(0);
    }

    /** Forgets the front-runs done so far. */
    public void reset() {
        armed.set(null);
        frontRuns.clear();
    }

    /** The functions watched, by selector, each taken from a generated wrapper's own encoding. */
    private static Map<String, String> watchedSelectors(Web3j web3j) {
        String nowhere = "0x" + "00".repeat(20);
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(web3j, nowhere);
        IdentityRegistry registry = IdentityRegistry.load(nowhere, web3j, reader, new DefaultGasProvider());
        Messenger messenger = Messenger.load(nowhere, web3j, reader, new DefaultGasProvider());
        byte[] b32 = new byte[32];
        byte[] none = new byte[0];
        BigInteger zero = BigInteger.ZERO;
        Map<String, String> selectors = new HashMap<>();
        selectors.put(selector(registry.rotateKey(b32, none, zero, zero, none, none).encodeFunctionCall()),
                "rotateKey");
        selectors.put(selector(registry.registerFor(b32, none, zero, zero, nowhere, none).encodeFunctionCall()),
                "registerFor");
        selectors.put(selector(messenger.requestAuth(b32, b32, b32, zero, none, none).encodeFunctionCall()),
                "requestAuth");
        selectors.put(selector(messenger.acceptAuth(new Messenger.AuthRequestFields(b32, b32, b32, zero, b32), b32, zero, none,
                none).encodeFunctionCall()),
                "acceptAuth");
        return Map.copyOf(selectors);
    }

    private static String selector(String calldata) {
        return Numeric.prependHexPrefix(Numeric.cleanHexPrefix(calldata).substring(0, 8)).toLowerCase();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            String answer = frontRunIfWatched(JSON.readTree(request)).map(run -> {
                String victimAnswer = post(request);
                frontRuns.add(new FrontRun(run.function(), run.mode(), run.txHash(), run.error(), victimAnswer));
                return victimAnswer;
            }).orElseGet(() -> post(request));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** If {@code request} sends a transaction calling the armed function: the front-run, already mined. */
    private Optional<FrontRun> frontRunIfWatched(JsonNode request) {
        if (!"eth_sendRawTransaction".equals(request.path("method").asText())) {
            return Optional.empty();
        }
        RawTransaction victim = TransactionDecoder.decode(request.path("params").path(0).asText());
        String data = Numeric.cleanHexPrefix(victim.getData() == null ? "" : victim.getData());
        if (data.length() < 8 || victim.getTo() == null || victim.getTo().length() <= 2) {
            return Optional.empty();
        }
        String function = watched.get("0x" + data.substring(0, 8).toLowerCase());
        Armed target = armed.get();
        if (function == null || target == null || !target.function().equals(function)
                || !armed.compareAndSet(target, null)) {
            return Optional.empty();
        }
        try {
            String txHash = target.mode() == Mode.COPY
                    ? send(victim.getTo(), "0x" + data)
                    : send(relay, FunctionEncoder.encode(new Function("forward", List.of(new Address(victim.getTo()),
                            new DynamicBytes(Numeric.hexStringToByteArray(data))), List.of())));
            return Optional.of(new FrontRun(function, target.mode(), txHash, null, null));
        } catch (RuntimeException e) {
            return Optional.of(new FrontRun(function, target.mode(), null, e.toString(), null));
        }
    }

    private String post(byte[] request) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(upstream))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a call from the front-runner's account and waits until it is mined; it must succeed. */
    private String send(String to, String data) {
        try {
            BigInteger gas = web3j.ethEstimateGas(Transaction.createFunctionCallTransaction(frontRunner.getAddress(),
                    null, null, null, to, BigInteger.ZERO, data)).send().getAmountUsed();
            return sendSigned(to, data, gas.multiply(BigInteger.TWO).min(GAS_CAP));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String sendSigned(String to, String data, BigInteger gasLimit) throws IOException {
        BigInteger nonce = web3j.ethGetTransactionCount(frontRunner.getAddress(), DefaultBlockParameterName.PENDING)
                .send().getTransactionCount();
        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice().multiply(BigInteger.TWO);
        RawTransaction raw = RawTransaction.createTransaction(nonce, gasPrice, gasLimit, to, BigInteger.ZERO, data);
        byte[] signed = TransactionEncoder.signMessage(raw, chainId, frontRunner);
        EthSendTransaction sent = web3j.ethSendRawTransaction(Numeric.toHexString(signed)).send();
        if (sent.hasError()) {
            throw new IllegalStateException("the front-runner's transaction was refused: "
                    + sent.getError().getMessage());
        }
        TransactionReceipt receipt = awaitReceipt(sent.getTransactionHash());
        if (!receipt.isStatusOK()) {
            throw new IllegalStateException("the front-runner's transaction reverted: " + receipt);
        }
        return sent.getTransactionHash();
    }

    private TransactionReceipt awaitReceipt(String txHash) throws IOException {
        for (int i = 0; i < 3000; i++) {
            Optional<TransactionReceipt> receipt = web3j.ethGetTransactionReceipt(txHash).send()
                    .getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no receipt for the front-runner's transaction " + txHash);
    }

    /** Deploys contracts/test/Relay.sol from its Hardhat artifact. */
    private String deployRelay(Credentials deployer) throws IOException {
        Path artifact = TestChain.projectRoot().resolve("artifacts/contracts/test/Relay.sol/Relay.json");
        if (!Files.isRegularFile(artifact)) {
            throw new IllegalStateException(artifact + " is missing: run `npx hardhat build`");
        }
        String bytecode = JSON.readTree(artifact.toFile()).path("bytecode").asText();
        BigInteger nonce = web3j.ethGetTransactionCount(deployer.getAddress(), DefaultBlockParameterName.PENDING)
                .send().getTransactionCount();
        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice().multiply(BigInteger.TWO);
        RawTransaction raw = RawTransaction.createContractTransaction(nonce, gasPrice, BigInteger.valueOf(1_000_000),
                BigInteger.ZERO, bytecode);
        EthSendTransaction sent = web3j.ethSendRawTransaction(
                Numeric.toHexString(TransactionEncoder.signMessage(raw, chainId, deployer))).send();
        if (sent.hasError()) {
            throw new IllegalStateException("deploying the relay failed: " + sent.getError().getMessage());
        }
        TransactionReceipt receipt = awaitReceipt(sent.getTransactionHash());
        if (!receipt.isStatusOK() || receipt.getContractAddress() == null) {
            throw new IllegalStateException("deploying the relay failed: " + receipt);
        }
        return receipt.getContractAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        web3j.shutdown();
    }
}
