package dev.peerkey.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.VoidResponse;
import okhttp3.OkHttpClient;
import org.web3j.protocol.http.HttpService;

/**
 * A connection to an Ethereum JSON-RPC node. It assumes nothing about the node beyond
 * plain JSON-RPC; every I/O failure becomes a {@link ChainException} that names the URL.
 */
public final class Chain implements AutoCloseable {
    /** Chain ids used by local development nodes (Hardhat and Anvil: 31337, Ganache: 1337). */
    /** Requests per JSON-RPC batch: providers cap batches (often at 100 to 1,000 calls). */
    static final int MAX_BATCH = 100;
    private static final Set<Long> DEV_CHAIN_IDS = Set.of(31337L, 1337L);

    private final String rpcUrl;
    private final Web3j web3j;
    private final long chainId;
    private final LogPager logPager = new LogPager(this);
    private String genesisHash;
    private Boolean devChain;
    private final Web3jService service;

    /** The HTTP client, whose connections close with the chain (the unlock agent outlives many chains). */
    private final OkHttpClient http;

    private Chain(String rpcUrl, Web3j web3j, long chainId, Web3jService service, OkHttpClient http) {
        this.http = http;
        this.rpcUrl = rpcUrl;
        this.web3j = web3j;
        this.chainId = chainId;
        this.service = service;
    }

    /** Connects to {@code rpcUrl} and asks for its chain id, so an unreachable node fails here. */
    public static Chain connect(String rpcUrl) {
        checkUrl(rpcUrl);
        // Every non-2xx answer (429, 5xx, a proxy's HTML page) becomes an I/O error naming the status.
        OkHttpClient http = HttpService.getOkHttpClientBuilder().addInterceptor(new HttpStatusCheck(rpcUrl)).build();
        HttpService service = new HttpService(rpcUrl, http);
        Web3j web3j = Web3j.build(service);
        try {
            long chainId = send(rpcUrl, web3j.ethChainId()).getChainId().longValueExact();
            return new Chain(rpcUrl, web3j, chainId, service, http);
        } catch (RuntimeException e) {
            web3j.shutdown();
            closeConnections(http); // the node answered (an error): its connection may be idle in the pool
            throw e;
        }
    }

    private static void checkUrl(String rpcUrl) {
        try {
            URI uri = URI.create(rpcUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new ChainException("RPC URL '" + rpcUrl + "' is not an http(s) URL");
        }
    }

    public String rpcUrl() {
        return rpcUrl;
    }

    public Web3j web3j() {
        return web3j;
    }

    public long chainId() {
        return chainId;
    }

    /**
     * The hash of block 0: with the chain id, what tells chains apart (two dev nodes share chain
     * id 31337; a restarted one has a new genesis). Deployments are recorded under both.
     */
    public synchronized String genesisHash() {
        if (genesisHash == null) {
            var block = send(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.ZERO), false)).getBlock();
            if (block == null || block.getHash() == null || !block.getHash().matches("0x[0-9a-fA-F]{64}")) {
                throw new ChainException("chain node at " + rpcUrl + " did not return its genesis block");
            }
            genesisHash = block.getHash().toLowerCase(java.util.Locale.ROOT);
        }
        return genesisHash;
    }

    /** The key deployments are recorded under: chain id and genesis hash, whatever the URL's spelling. */
    public String chainKey() {
        return chainId + ":" + genesisHash();
    }

    /**
     * Whether two RPC URLs name the same endpoint, up to spelling: scheme and host case, a trailing
     * slash, a default port, and localhost / 127.0.0.1 / [::1] for the loopback host.
     */
    public static boolean sameUrl(String a, String b) {
        return a != null && b != null && normalizedUrl(a).equals(normalizedUrl(b));
    }

    static String normalizedUrl(String url) {
        try {
            URI uri = URI.create(url.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
            if (host.equals("localhost") || host.equals("[::1]") || host.equals("::1") || host.startsWith("127.")) {
                host = "127.0.0.1";
            }
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return scheme + "://" + host + ":" + port + path + query;
        } catch (IllegalArgumentException e) {
            return url.strip();
        }
    }

    /** Where every eth_getLogs query goes: in pages the node accepts (see {@link LogPager}). */
    public LogPager logs() {
        return logPager;
    }

    /** Sends a call web3j has no method for (a node's own, such as evm_mine); its answer is ignored. */
    public void rpc(String method, Object... params) {
        send(new Request<>(method, List.of(params), service, VoidResponse.class));
    }

    /** A request web3j has no method for (or not with these parameters), sent like the others. */
    public <T extends Response<?>> Request<?, T> request(String method, List<?> params, Class<T> type) {
        return new Request<>(method, params, service, type);
    }

    /** Sends one request and unwraps its answer, turning node errors into {@link ChainException}. */
    public <T extends Response<?>> T send(Request<?, T> request) {
        return send(rpcUrl, request);
    }

    /** Sends one request and returns the answer even if it is a JSON-RPC error (e.g. a revert). */
    public <T extends Response<?>> T sendRaw(Request<?, T> request) {
        return sendRaw(rpcUrl, request);
    }

    private static <T extends Response<?>> T sendRaw(String rpcUrl, Request<?, T> request) {
        try {
            return request.send();
        } catch (NodeHttpException e) {
            throw new NodeUnavailableException(e);
        } catch (ConnectException e) {
            throw unreachable(rpcUrl, e);
        } catch (IOException e) {
            throw new ChainException("chain node at " + rpcUrl + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends requests of one type in one JSON-RPC batch, a single round trip, and unwraps each answer
     * like {@link #send}. A node that refuses batches, or answers one out of order (web3j pairs answers
     * by position), gets the requests one by one.
     */
    public <T extends Response<?>> List<T> sendAll(List<? extends Request<?, T>> requests) {
        if (requests.size() > MAX_BATCH) {
            List<T> all = new ArrayList<>();
            for (int from = 0; from < requests.size(); from += MAX_BATCH) {
                all.addAll(sendAll(requests.subList(from, Math.min(requests.size(), from + MAX_BATCH))));
            }
            return all;
        }
        List<? extends Response<?>> answers = requests.size() > 1 ? batch(requests) : null;
        if (answers == null || !answersInOrder(requests, answers)) {
            return sendEach(requests);
        }
        List<T> unwrapped = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            Request<?, T> request = requests.get(i);
            T answer = request.getResponseType().cast(answers.get(i));
            if (answer.hasError()) {
                throw new ChainException("chain node at " + rpcUrl + " answered " + request.getMethod()
                        + " with an error: " + answer.getError().getMessage());
            }
            unwrapped.add(answer);
        }
        return unwrapped;
    }

    /** The answers to a batch, or null if the node refused it (not every provider takes batches). */
    private List<? extends Response<?>> batch(List<? extends Request<?, ? extends Response<?>>> requests) {
        BatchRequest batch = web3j.newBatch();
        requests.forEach(batch::add);
        try {
            return batch.send().getResponses();
        } catch (NodeHttpException e) {
            if (e.status() == 429 || e.status() >= 500) {
                throw new NodeUnavailableException(e);
            }
            return null; // another HTTP status: this provider's way of refusing a batch
        } catch (ConnectException e) {
            throw unreachable(rpcUrl, e);
        } catch (IOException | RuntimeException refused) {
            return null;
        }
    }

    private static boolean answersInOrder(List<? extends Request<?, ?>> requests, List<? extends Response<?>> answers) {
        if (answers.size() != requests.size()) {
            return false;
        }
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i).getId() != requests.get(i).getId()
                    || !requests.get(i).getResponseType().isInstance(answers.get(i))) {
                return false;
            }
        }
        return true;
    }

    private <T extends Response<?>> List<T> sendEach(List<? extends Request<?, T>> requests) {
        return requests.stream().map(this::send).toList();
    }

    private static ChainException unreachable(String rpcUrl, ConnectException e) {
        return new ChainException("cannot reach the chain node at " + rpcUrl
                + " (connection refused): start one with `peerkey chain start` or pass --rpc", e);
    }

    static <T extends Response<?>> T send(String rpcUrl, Request<?, T> request) {
        T response = sendRaw(rpcUrl, request);
        if (response.hasError()) {
            throw new ChainException("chain node at " + rpcUrl + " answered " + request.getMethod()
                    + " with an error: " + response.getError().getMessage());
        }
        return response;
    }

    public BigInteger balance(String address) {
        return send(web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST)).getBalance();
    }

    public boolean hasCode(String address) {
        String code = send(web3j.ethGetCode(address, DefaultBlockParameterName.LATEST)).getCode();
        return code != null && code.length() > 2;
    }

    public long blockNumber() {
        return send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
    }

    /**
     * Whether this looks like a local development node: a development chain id and
     * accounts the node unlocks itself.
     */
    public synchronized boolean isDevChain() {
        if (devChain == null) {
            devChain = DEV_CHAIN_IDS.contains(chainId) && !devAccounts().isEmpty();
        }
        return devChain;
    }

    private List<String> devAccounts() {
        List<String> accounts = send(web3j.ethAccounts()).getAccounts();
        return accounts == null ? List.of() : accounts;
    }

    /**
     * Pays {@code wei} to {@code address} from the node's first unlocked development
     * account and waits for the receipt. Only for local development chains.
     */
    public void fundFromDevAccount(String address, BigInteger wei) {
        if (!isDevChain()) {
            throw new ChainException("the node at " + rpcUrl + " is not a local development chain;"
                    + " fund " + address + " yourself");
        }
        String from = devAccounts().get(0);
        Transaction transfer = Transaction.createEtherTransaction(from, null, null, null, address, wei);
        String hash = send(web3j.ethSendTransaction(transfer)).getTransactionHash();
        new ReceiptWaiter(this, ignored -> { }).await(hash);
    }

    /** Waits for the receipt of a sent transaction (a node may answer the send before it mines it, as Anvil does). */
    public org.web3j.protocol.core.methods.response.TransactionReceipt awaitReceipt(String txHash) {
        return new ReceiptWaiter(this, ignored -> { }).await(txHash);
    }

    @Override
    public void close() {
        web3j.shutdown();
        closeConnections(http);
    }

    private static void closeConnections(OkHttpClient http) {
        http.connectionPool().evictAll();
        http.dispatcher().executorService().shutdown();
    }
}
