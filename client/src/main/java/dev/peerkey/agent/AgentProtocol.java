package dev.peerkey.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.PeerkeyException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The unlock agent's wire format, one exchange per connection. The client sends one line of JSON
 * (no secret is ever in a request): {@code {"v":1,"op":OP,"profile":HOME[,"key":KEY_ID]}} where OP
 * is {@code status}, {@code key} (the private key whose public key hashes to KEY_ID), {@code store}
 * (the profile's store key) or {@code lock}. The agent answers one line of JSON,
 * {@code {"ok":true,...}} or {@code {"ok":false,"error":MESSAGE}}; an answer with
 * {@code "secret":N} is followed by exactly N raw bytes, so the secret never becomes a String and
 * both sides can wipe it.
 */
public final class AgentProtocol {
    public static final int VERSION = 1;
    /** A request line longer than this is malformed (a profile path and a key ID fit many times over). */
    public static final int MAX_LINE = 8192;
    /** A secret is a 32-byte secp256k1 private key or a 32-byte store key. */
    public static final int SECRET_SIZE = 32;
    static final ObjectMapper JSON = new ObjectMapper();

    public enum Op { STATUS, KEY, STORE, LOCK }

    /** One request: what, for which profile (its real path) and, for {@link Op#KEY}, which key (hex ID). */
    public record Request(Op op, String profile, String key) {
        byte[] encode() {
            ObjectNode node = JSON.createObjectNode();
            node.put("v", VERSION);
            node.put("op", op.name().toLowerCase());
            node.put("profile", profile);
            if (key != null) {
                node.put("key", key);
            }
            return (node.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        }

        /**
         * @throws PeerkeyException with the message the agent sends back, for a request it cannot read
         */
        static Request decode(byte[] line) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new PeerkeyException("malformed request: not JSON");
            }
            if (node == null || !node.isObject()) {
                throw new PeerkeyException("malformed request: not a JSON object");
            }
            if (node.path("v").asInt(-1) != VERSION) {
                throw new PeerkeyException("unsupported request version " + node.path("v")
                        + ": this agent speaks version " + VERSION + " (lock and unlock again after an upgrade)");
            }
            if (!node.path("op").isTextual() || !node.path("profile").isTextual()) {
                throw new PeerkeyException("malformed request: it needs \"op\" and \"profile\"");
            }
            Op op;
            try {
                op = Op.valueOf(node.path("op").asText().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new PeerkeyException("malformed request: unknown op " + JSON.valueToTree(node.path("op").asText()));
            }
            String key = null;
            if (op == Op.KEY) {
                key = node.path("key").asText("").toLowerCase();
                if (!key.matches("0x[0-9a-f]{64}")) {
                    throw new PeerkeyException("malformed request: \"key\" must be a key ID (0x and 64 hex digits)");
                }
            }
            return new Request(op, node.path("profile").asText(), key);
        }
    }

    private AgentProtocol() {
    }

    /**
     * Reads one line (up to '\n', not included) of at most {@link #MAX_LINE} bytes.
     *
     * @throws PeerkeyException if the line is longer or the stream ends first
     */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed before a whole line");
            }
            if (b == '\n') {
                return buf.toByteArray();
            }
            if (buf.size() >= MAX_LINE) {
                throw new PeerkeyException("malformed request: longer than " + MAX_LINE + " bytes");
            }
            buf.write(b);
        }
    }

    static void writeOk(OutputStream out, ObjectNode fields, byte[] secret) throws IOException {
        fields.put("ok", true);
        if (secret != null) {
            fields.put("secret", secret.length);
        }
        out.write((fields.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        if (secret != null) {
            out.write(secret);
        }
        out.flush();
    }

    static void writeError(OutputStream out, String message) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("ok", false);
        node.put("error", message);
        out.write((node.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An answer: its JSON line and the secret that followed it, if any (the caller wipes it). */
    record Answer(JsonNode fields, byte[] secret) {
        Optional<byte[]> secretIfAny() {
            return Optional.ofNullable(secret);
        }
    }

    static Answer readAnswer(InputStream in) throws IOException {
        JsonNode node = JSON.readTree(readLine(in));
        if (node == null || !node.isObject() || !node.path("ok").isBoolean()) {
            throw new IOException("the agent's answer is malformed");
        }
        if (!node.path("ok").asBoolean()) {
            throw new PeerkeyException("the unlock agent refused: " + node.path("error").asText("(no reason)"));
        }
        byte[] secret = null;
        if (node.has("secret")) {
            int n = node.path("secret").asInt(-1);
            if (n != SECRET_SIZE) {
                throw new IOException("the agent's answer is malformed");
            }
            secret = in.readNBytes(n);
            if (secret.length != n) {
                Arrays.fill(secret, (byte) 0);
                throw new EOFException("the agent's answer ended early");
            }
        }
        return new Answer(node, secret);
    }
}
