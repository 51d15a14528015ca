package dev.peerkey.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {
    private static final Path HOME = Path.of("/home/alice/.peerkey");
    private static final String KEY_ID = "0x" + "ab".repeat(32);

    private static AgentProtocol.Request decode(String line) {
        return AgentProtocol.Request.decode(line.getBytes(StandardCharsets.UTF_8));
    }

    private static String refused(String line) {
        return assertThrows(PeerkeyException.class, () -> decode(line)).getMessage();
    }

    @Test
    void aRequestRoundTrips() {
        AgentProtocol.Request request = new AgentProtocol.Request(AgentProtocol.Op.KEY, HOME.toString(), KEY_ID);
        byte[] line = request.encode();
        assertEquals('\n', line[line.length - 1]);
        assertEquals(request, AgentProtocol.Request.decode(Arrays.copyOf(line, line.length - 1)));
        assertEquals(new AgentProtocol.Request(AgentProtocol.Op.LOCK, "/p", null),
                decode("{\"v\":1,\"op\":\"lock\",\"profile\":\"/p\"}"));
    }

    @Test
    void malformedRequestsGetAClearError() {
        assertEquals("malformed request: not JSON", refused("hello"));
        assertEquals("malformed request: not a JSON object", refused("[1,2]"));
        assertEquals("malformed request: it needs \"op\" and \"profile\"", refused("{\"v\":1,\"op\":\"status\"}"));
        assertEquals("malformed request: unknown op \"dump\"", refused("{\"v\":1,\"op\":\"dump\",\"profile\":\"/p\"}"));
        assertEquals("malformed request: \"key\" must be a key ID (0x and 64 hex digits)",
                refused("{\"v\":1,\"op\":\"key\",\"profile\":\"/p\",\"key\":\"../../etc\"}"));
        assertTrue(refused("{\"v\":2,\"op\":\"status\",\"profile\":\"/p\"}").startsWith("unsupported request version 2"));
    }

    @Test
    void aLineHasALimitAndAnEnd() throws IOException {
        byte[] longLine = new byte[AgentProtocol.MAX_LINE + 10];
        Arrays.fill(longLine, (byte) 'x');
        assertEquals("malformed request: longer than " + AgentProtocol.MAX_LINE + " bytes",
                assertThrows(PeerkeyException.class,
                        () -> AgentProtocol.readLine(new ByteArrayInputStream(longLine))).getMessage());
        assertThrows(EOFException.class, () -> AgentProtocol.readLine(new ByteArrayInputStream(new byte[] {'{'})));
        assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8),
                AgentProtocol.readLine(new ByteArrayInputStream("ab\ncd".getBytes(StandardCharsets.UTF_8))));
    }

    private static byte[] raw(IdentityKey key) {
        byte[] k = new byte[32];
        byte[] b = key.credentials().getEcKeyPair().getPrivateKey().toByteArray();
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, k, 32 - n, n);
        return k;
    }

    private static AgentServer server(IdentityKey key, byte[] store) throws IOException {
        ByteArrayOutputStream secrets = new ByteArrayOutputStream();
        AgentServer.writeSecrets(secrets, store, List.of(raw(key)));
        return AgentServer.readSecrets(HOME, Instant.now().plusSeconds(60),
                new ByteArrayInputStream(secrets.toByteArray()), null);
    }

    private static AgentProtocol.Answer ask(AgentServer server, AgentProtocol.Op op, String profile, String key)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.answer(new AgentProtocol.Request(op, profile, key), out);
        return AgentProtocol.readAnswer(new ByteArrayInputStream(out.toByteArray()));
    }

    @Test
    void theAgentServesTheKeysItWasGivenToItsOwnProfileOnly() throws IOException {
        IdentityKey key = IdentityKey.generate();
        byte[] store = new byte[32];
        Arrays.fill(store, (byte) 7);
        AgentServer server = server(key, store.clone());

        AgentProtocol.Answer held = ask(server, AgentProtocol.Op.KEY, HOME.toString(), key.publicKey().id().hex());
        assertEquals(key.id(), IdentityKey.fromPrivateKey(new BigInteger(1, held.secret())).id());
        AgentProtocol.Answer other = ask(server, AgentProtocol.Op.KEY, HOME.toString(), KEY_ID);
        assertFalse(other.fields().path("held").asBoolean());
        assertNull(other.secret());
        assertArrayEquals(store, ask(server, AgentProtocol.Op.STORE, HOME.toString(), null).secret());

        AgentProtocol.Answer status = ask(server, AgentProtocol.Op.STATUS, HOME.toString(), null);
        assertEquals(key.publicKey().id().hex(), status.fields().path("keys").get(0).asText());
        assertTrue(status.fields().path("storeKey").asBoolean());

        String refused = assertThrows(PeerkeyException.class,
                () -> ask(server, AgentProtocol.Op.STORE, "/home/bob/.peerkey", null)).getMessage();
        assertEquals("the unlock agent refused: this agent holds the keys of profile " + HOME
                + ", not of /home/bob/.peerkey", refused);
    }

    @Test
    void lockWipesAndNothingIsServedAfterwards() throws IOException {
        IdentityKey key = IdentityKey.generate();
        AgentServer server = server(key, new byte[32]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(server.answer(new AgentProtocol.Request(AgentProtocol.Op.LOCK, HOME.toString(), null), out));
        server.wipe();
        String refused = assertThrows(PeerkeyException.class,
                () -> ask(server, AgentProtocol.Op.KEY, HOME.toString(), key.publicKey().id().hex())).getMessage();
        assertEquals("the unlock agent refused: this agent is locking", refused);
    }

    @Test
    void secretsOnStdinNeedTheMagic() {
        assertThrows(IOException.class, () -> AgentServer.readSecrets(HOME, Instant.now(),
                new ByteArrayInputStream("not the agent's input".getBytes(StandardCharsets.UTF_8)), null));
    }

    @Test
    void anAnswerCarriesExactlyOneSecret() {
        byte[] truncated = "{\"ok\":true,\"secret\":32}\nshort".getBytes(StandardCharsets.UTF_8);
        assertThrows(EOFException.class, () -> AgentProtocol.readAnswer(new ByteArrayInputStream(truncated)));
        byte[] wrongSize = "{\"ok\":true,\"secret\":4096}\n".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> AgentProtocol.readAnswer(new ByteArrayInputStream(wrongSize)));
    }

    /** A run request says what a local run's output depends on; the agent writes each stream in the client's charset. */
    @Test
    void aRunRequestCarriesTheClientsCharsetsAndLocale() {
        String locale = java.util.Locale.getDefault().toLanguageTag();
        AgentProtocol.Request run = new AgentProtocol.Request(AgentProtocol.Op.RUN, HOME.toString(), null,
                List.of("inbox"), false, "UTC", "ANSI_X3.4-1968", "UTF-8", locale);
        byte[] line = run.encode();
        assertEquals(run, AgentProtocol.Request.decode(Arrays.copyOf(line, line.length - 1)));
        assertEquals(Optional.of(StandardCharsets.US_ASCII), AgentServer.charset("ANSI_X3.4-1968"));
        assertEquals(Optional.of(StandardCharsets.UTF_8), AgentServer.charset("UTF8"));
        assertEquals(Optional.of(StandardCharsets.UTF_8), AgentServer.charset(null)); // a client that does not say
        assertEquals(Optional.empty(), AgentServer.charset("no-such-charset"));
    }

    /** A stdout of the client's that cannot be written (a closed pipe) is skipped; the exit code still comes. */
    @Test
    void theRelayGoesOnToTheExitCodeWhenStdoutIsClosed() throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(frames);
        byte[] text = "messageId 0x12\n".getBytes(StandardCharsets.UTF_8);
        AgentProtocol.Frame.write(data, AgentProtocol.Frame.STDOUT, text, 0, text.length);
        byte[] progress = "sent\n".getBytes(StandardCharsets.UTF_8);
        AgentProtocol.Frame.write(data, AgentProtocol.Frame.STDERR, progress, 0, progress.length);
        AgentProtocol.Frame.write(data, AgentProtocol.Frame.STDOUT, text, 0, text.length);
        AgentProtocol.Frame.write(data, AgentProtocol.Frame.EXIT, new byte[] {0, 0, 0, 3}, 0, 4);
        int[] writes = {0};
        java.io.OutputStream closedPipe = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writes[0]++;
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                write(0);
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(java.util.OptionalInt.of(3), Agent.relay(new java.io.DataInputStream(
                new ByteArrayInputStream(frames.toByteArray())), closedPipe, err));
        assertEquals(1, writes[0], "not written to again once it failed");
        assertEquals("sent\n", err.toString(StandardCharsets.UTF_8));
        // The agent going away mid-command is still an error.
        byte[] cut = Arrays.copyOf(frames.toByteArray(), text.length + 5 + 2);
        assertThrows(EOFException.class, () -> Agent.relay(new java.io.DataInputStream(new ByteArrayInputStream(cut)),
                new ByteArrayOutputStream(), new ByteArrayOutputStream()));
    }
}
