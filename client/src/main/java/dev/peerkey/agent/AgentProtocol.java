package dev.peerkey.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.PeerkeyException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The unlock agent's wire format, one exchange per connection. The client sends one line of JSON
 * (no secret is ever in a request): {@code {"v":1,"op":OP,"profile":HOME[,"key":KEY_ID]}} where OP
 * is {@code status}, {@code key} (the private key whose public key hashes to KEY_ID), {@code store}
 * (the profile's store key), {@code lock}, or {@code run} (with {@code "args":[...]},
 * {@code "terminal":BOOL}, the client's time {@code "zone"}, the encodings of its standard output and error
 * {@code "stdoutEncoding"}, {@code "stderrEncoding"} and its {@code "locale"}: run a peerkey command in the
 * agent, see {@link Frame}). The agent answers
 * one line of JSON, {@code {"ok":true,...}} or {@code {"ok":false,"error":MESSAGE}}; an answer with
 * {@code "secret":N} is followed by exactly N raw bytes, so the secret never becomes a String and
 * both sides can wipe it.
 */
public final class AgentProtocol {
    public static final int VERSION = 1;
    /** A request line longer than this is malformed (room for a command line with the longest message). */
    public static final int MAX_LINE = 256 * 1024;
    /** The most arguments a {@code run} request carries. */
    static final int MAX_ARGS = 256;
    /** A secret is a 32-byte secp256k1 private key or a 32-byte store key. */
    public static final int SECRET_SIZE = 32;
    /** Streaming JSON only, for the client's side of a request: a command the agent runs starts fast. */
    private static final JsonFactory STREAMING = new JsonFactory();

    /** The tree mapper, made on first use (the agent's side, and answers other than to a run). */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    static ObjectMapper json() {
        return Mapper.JSON;
    }

    public enum Op { STATUS, KEY, STORE, LOCK, RUN }

    /**
     * One request: what, for which profile (its real path), for {@link Op#KEY} which key (hex ID),
     * for {@link Op#RUN} the command line, whether the client sits at a terminal, and what its output
     * depends on: its time zone, the charsets of its stdout and stderr and its locale (null: not said).
     */
    public record Request(Op op, String profile, String key, List<String> args, boolean terminal, String zone,
            String stdoutEncoding, String stderrEncoding, String locale) {
        public Request {
            args = List.copyOf(args);
        }

        Request(Op op, String profile, String key) {
            this(op, profile, key, List.of(), false, null, null, null, null);
        }

        byte[] encode() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try (JsonGenerator json = STREAMING.createGenerator(line)) {
                json.writeStartObject();
                json.writeNumberField("v", VERSION);
                json.writeStringField("op", op.name().toLowerCase());
                json.writeStringField("profile", profile);
                if (key != null) {
                    json.writeStringField("key", key);
                }
                if (op == Op.RUN) {
                    json.writeArrayFieldStart("args");
                    for (String arg : args) {
                        json.writeString(arg);
                    }
                    json.writeEndArray();
                    json.writeBooleanField("terminal", terminal);
                    json.writeStringField("zone", zone);
                    json.writeStringField("stdoutEncoding", stdoutEncoding);
                    json.writeStringField("stderrEncoding", stderrEncoding);
                    json.writeStringField("locale", locale);
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array cannot fail
            }
            line.write('\n');
            return line.toByteArray();
        }

        /**
         * @throws PeerkeyException with the message the agent sends back, for a request it cannot read
         */
        static Request decode(byte[] line) {
            JsonNode node;
            try {
                node = json().readTree(line);
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
                throw new PeerkeyException("malformed request: unknown op " + json().valueToTree(node.path("op").asText()));
            }
            String key = null;
            if (op == Op.KEY) {
                key = node.path("key").asText("").toLowerCase();
                if (!key.matches("0x[0-9a-f]{64}")) {
                    throw new PeerkeyException("malformed request: \"key\" must be a key ID (0x and 64 hex digits)");
                }
            }
            List<String> args = List.of();
            if (op == Op.RUN) {
                JsonNode list = node.path("args");
                if (!list.isArray() || list.size() > MAX_ARGS || !node.path("terminal").isBoolean()) {
                    throw new PeerkeyException("malformed request: \"run\" needs \"args\" (at most " + MAX_ARGS
                            + " strings) and \"terminal\" (true or false)");
                }
                List<String> strings = new ArrayList<>();
                for (JsonNode arg : list) {
                    if (!arg.isTextual()) {
                        throw new PeerkeyException("malformed request: every argument must be a string");
                    }
                    strings.add(arg.asText());
                }
                args = strings;
            }
            return new Request(op, node.path("profile").asText(), key, args, node.path("terminal").asBoolean(),
                    text(node, "zone"), text(node, "stdoutEncoding"), text(node, "stderrEncoding"), text(node, "locale"));
        }

        private static String text(JsonNode node, String field) {
            return node.path(field).isTextual() ? node.path(field).asText() : null;
        }
    }

    /**
     * What follows a {@code run} request's "ok" line: frames of one type byte and a 4-byte length,
     * then that many bytes. {@link #STDOUT} and {@link #STDERR} carry the command's output as it is
     * written; the last frame is {@link #EXIT} (4 bytes: the exit code) or {@link #RUN_HERE} (no
     * bytes: the command needs what only the client's own process has, a password or a terminal,
     * and stopped before doing anything; the client runs it itself).
     */
    public static final class Frame {
        public static final int STDOUT = 1;
        public static final int STDERR = 2;
        public static final int EXIT = 3;
        public static final int RUN_HERE = 4;
        /** A larger frame is malformed (output is written in pieces of at most a buffer's size). */
        static final int MAX_SIZE = 1 << 20;

        private Frame() {
        }

        static void write(DataOutputStream out, int type, byte[] data, int off, int len) throws IOException {
            out.writeByte(type);
            out.writeInt(len);
            out.write(data, off, len);
            out.flush();
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
        ObjectNode node = json().createObjectNode();
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

    /**
     * Reads the answer to a {@code run} request (no secret follows it), with the streaming parser.
     *
     * @throws PeerkeyException if the agent refused it
     */
    static void readRunAnswer(InputStream in) throws IOException {
        Boolean ok = null;
        String error = null;
        try (JsonParser json = STREAMING.createParser(readLine(in))) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the agent's answer is malformed");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("ok") && value.isBoolean()) {
                    ok = value == JsonToken.VALUE_TRUE;
                } else if (field.equals("error") && value == JsonToken.VALUE_STRING) {
                    error = json.getText();
                } else {
                    json.skipChildren();
                }
            }
        }
        if (ok == null) {
            throw new IOException("the agent's answer is malformed");
        }
        if (!ok) {
            throw new PeerkeyException("the unlock agent refused: " + (error == null ? "(no reason)" : error));
        }
    }

    static Answer readAnswer(InputStream in) throws IOException {
        JsonNode node = json().readTree(readLine(in));
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
