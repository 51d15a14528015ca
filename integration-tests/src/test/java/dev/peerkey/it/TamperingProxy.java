package dev.peerkey.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a real node that can rewrite its answers, or show the chain
 * as it was at an earlier block: a lying node.
 */
public final class TamperingProxy implements AutoCloseable {
    /** Rewrites the answer to one JSON-RPC call. */
    @FunctionalInterface
    public interface Tamper {
        String answer(String method, String answer);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicReference<Tamper> tamper = new AtomicReference<>((method, answer) -> answer);
    private final AtomicReference<String> pinnedBlock = new AtomicReference<>();

    private TamperingProxy(String upstream) throws IOException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] request = pinned(exchange.getRequestBody().readAllBytes());
            String answer;
            try {
                answer = http.send(HttpRequest.newBuilder(URI.create(upstream))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            String method = JSON.readTree(request).path("method").asText();
            String block = pinnedBlock.get();
            if (block != null && method.equals("eth_blockNumber")) {
                answer = answer.replaceFirst("\"result\"\\s*:\\s*\"0x[0-9a-f]+\"", "\"result\":\"" + block + "\"");
            }
            byte[] body = tamper.get().answer(method, answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** Starts a proxy that passes everything through until {@link #tamper} is set. */
    public static TamperingProxy start(String upstreamRpcUrl) {
        try {
            return new TamperingProxy(upstreamRpcUrl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void tamper(Tamper rewrite) {
        tamper.set(rewrite);
    }

    /**
     * From now on the node looks as it was at {@code block}: the head is that block, and every call
     * that names the newest block (latest, pending, safe, finalized) reads that block instead.
     */
    public void pinTo(long block) {
        pinnedBlock.set("0x" + Long.toHexString(block));
    }

    private byte[] pinned(byte[] request) {
        String block = pinnedBlock.get();
        if (block == null) {
            return request;
        }
        return new String(request, StandardCharsets.UTF_8)
                .replaceAll("\"(latest|pending|safe|finalized)\"", "\"" + block + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
