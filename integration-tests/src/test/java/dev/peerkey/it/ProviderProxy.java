package dev.peerkey.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a real node that behaves like a public provider: it can
 * answer with an HTTP error (429 with Retry-After, 503, a 502 HTML page) until told to stop, and it
 * refuses {@code eth_getLogs} queries over more blocks than a cap with the error providers give.
 */
public final class ProviderProxy implements AutoCloseable {
    /** An HTTP failure to answer every request with. */
    public record Failure(int status, Map<String, String> headers, String contentType, String body) {
        public static Failure tooManyRequests(String retryAfter) {
            return new Failure(429, Map.of("Retry-After", retryAfter), "application/json",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"rate limited\"}}");
        }

        public static Failure unavailable() {
            return new Failure(503, Map.of(), "text/plain", "Service Unavailable");
        }

        public static Failure badGatewayPage() {
            return new Failure(502, Map.of(), "text/html",
                    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1>"
                            + "</center>\n<hr><center>nginx</center>\n</body>\n</html>\n");
        }
    }

    /** The error a capped provider answers (code and message as Erigon / BSC nodes give them). */
    public static final String RANGE_ERROR = "exceed maximum block range: ";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String upstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicLong logCap = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong logQueries = new AtomicLong();
    private final AtomicLong refusedLogQueries = new AtomicLong();
    private final AtomicLong widestAnswered = new AtomicLong();
    private final AtomicLong lowestFrom = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong passBeforeFailing = new AtomicLong();

    /** What the proxy does with a JSON-RPC batch (an array of calls). */
    public enum Batches {
        /** Passes it on. */
        PASS,
        /** Refuses it with a single JSON-RPC error, as some providers do. */
        REFUSE,
        /** Passes it on and returns the answers in reverse order, which JSON-RPC allows. */
        REVERSE
    }

    private volatile Batches batches = Batches.PASS;
    private final AtomicLong batchRequests = new AtomicLong();
    private final Map<String, AtomicLong> calls = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String held;
    private volatile java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(0);

    private ProviderProxy(String upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ProviderProxy start(String upstreamRpcUrl) {
        try {
            return new ProviderProxy(upstreamRpcUrl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers every request with {@code failure} until {@link #heal()}. */
    public void fail(Failure failure) {
        failAfter(0, failure);
    }

    /** Passes {@code requests} more requests on, then answers every one with {@code failure} until {@link #heal()}. */
    public void failAfter(long requests, Failure failure) {
        passBeforeFailing.set(requests);
        this.failure.set(failure);
    }

    public void heal() {
        failure.set(null);
    }

    /** Refuses eth_getLogs over more than {@code blocks} blocks (Long.MAX_VALUE: no cap). */
    public void capLogs(long blocks) {
        logCap.set(blocks);
    }

    /** Requests answered with an HTTP failure so far. */
    public long failed() {
        return failed.get();
    }

    public long logQueries() {
        return logQueries.get();
    }

    public long refusedLogQueries() {
        return refusedLogQueries.get();
    }

    /** The widest block range of an eth_getLogs query passed to the node. */
    public long widestAnswered() {
        return widestAnswered.get();
    }

    /** The lowest first block of an eth_getLogs query passed to the node (Long.MAX_VALUE: none). */
    public long lowestFrom() {
        return lowestFrom.get();
    }

    /** Holds every request for {@code method} (and, behind it, all others) until {@link #release()}. */
    public void hold(String method) {
        released = new java.util.concurrent.CountDownLatch(1);
        held = method;
    }

    public void release() {
        held = null;
        released.countDown();
    }

    public void batches(Batches mode) {
        batches = mode;
    }

    /** How many JSON-RPC batches arrived. */
    public long batchRequests() {
        return batchRequests.get();
    }

    /** How many requests for {@code method} arrived (in a batch or alone). */
    public long calls(String method) {
        return calls.getOrDefault(method, new AtomicLong()).get();
    }

    /** Forgets the eth_getLogs statistics. */
    public void resetCounts() {
        logQueries.set(0);
        refusedLogQueries.set(0);
        widestAnswered.set(0);
        lowestFrom.set(Long.MAX_VALUE);
        failed.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] request = exchange.getRequestBody().readAllBytes();
        Failure now = failure.get();
        if (now != null && passBeforeFailing.getAndDecrement() <= 0) {
            failed.incrementAndGet();
            now.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            respond(exchange, now.status(), now.contentType(), now.body());
            return;
        }
        JsonNode call = JSON.readTree(request);
        if (call.isArray()) {
            batch(exchange, call, request);
            return;
        }
        String method = call.path("method").asText();
        calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
        if (method.equals(held)) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (call.isObject() && "eth_getLogs".equals(call.path("method").asText())) {
            logQueries.incrementAndGet();
            JsonNode filter = call.path("params").path(0);
            long from = block(filter.path("fromBlock").asText("earliest"));
            long to = block(filter.path("toBlock").asText("latest"));
            long range = to - from + 1;
            if (range > logCap.get()) {
                refusedLogQueries.incrementAndGet();
                ObjectNode error = JSON.createObjectNode();
                error.put("jsonrpc", "2.0");
                error.set("id", call.path("id"));
                error.putObject("error").put("code", -32000).put("message", RANGE_ERROR + logCap.get());
                respond(exchange, 200, "application/json", JSON.writeValueAsString(error));
                return;
            }
            widestAnswered.accumulateAndGet(range, Math::max);
            lowestFrom.accumulateAndGet(from, Math::min);
        }
        respond(exchange, 200, "application/json", forward(request));
    }

    private void batch(HttpExchange exchange, JsonNode calls, byte[] request) throws IOException {
        batchRequests.incrementAndGet();
        calls.forEach(call -> this.calls.computeIfAbsent(call.path("method").asText(), m -> new AtomicLong())
                .incrementAndGet());
        switch (batches) {
            case PASS -> respond(exchange, 200, "application/json", forward(request));
            case REFUSE -> respond(exchange, 200, "application/json",
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch requests are not supported\"}}");
            case REVERSE -> {
                List<JsonNode> answers = new ArrayList<>();
                JSON.readTree(forward(request)).forEach(answers::add);
                respond(exchange, 200, "application/json", JSON.writeValueAsString(answers.reversed()));
            }
        }
    }

    private long block(String tag) throws IOException {
        return switch (tag) {
            case "earliest" -> 0;
            case "latest", "pending", "safe", "finalized" -> new BigInteger(JSON.readTree(forward(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
                            .getBytes(StandardCharsets.UTF_8))).path("result").asText().substring(2), 16).longValue();
            default -> new BigInteger(tag.substring(2), 16).longValue();
        };
    }

    private String forward(byte[] request) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(upstream)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
