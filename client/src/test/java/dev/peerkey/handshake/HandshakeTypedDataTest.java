package dev.peerkey.handshake;

import static dev.peerkey.handshake.Fixtures.DOMAIN;
import static dev.peerkey.handshake.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import dev.peerkey.identity.PeerId;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.crypto.StructuredDataEncoder;

class HandshakeTypedDataTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final PeerId INITIATOR = PeerId.of(fill(0x11));
    private static final PeerId RESPONDER = PeerId.of(fill(0x22));
    private static final long SIGNED_AT = 1767225600L; // 2026-01-01T00:00:00Z

    /**
     * Known answers computed with an independent EIP-712 implementation (micro-eth-signer 0.19's
     * typed-data sigHash, under node_modules) for chain 31337 and messenger
     * 0x5FbDB2315678afecb367f032d93F642f64180aa3: AuthRequest(0x11.., 0x22.., 0x33.., 1767225600,
     * 0x44..), then AuthAccept(that request ID, 0x11.., 0x22.., 0x55.., 1767225660, 0x66..).
     */
    private static final String REQUEST_KAT = "9e483323cf5d99ace517ca800d05f21b1016320120f24cbcaf57257751160b31";
    private static final String ACCEPT_KAT = "8f5abd6d5a69f544ca307350b126255057553810d82acd65d7ad71eab6748a3e";

    private static byte[] fill(int b) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] requestDigest(HandshakeTypedData domain) {
        return domain.authRequestDigest(INITIATOR, RESPONDER, fill(0x33), SIGNED_AT, fill(0x44));
    }

    @Test
    void typeHashesAreKeccakOfTheTypeStrings() {
        assertArrayEquals(Hash.sha3(HandshakeTypedData.AUTH_REQUEST_TYPE.getBytes(StandardCharsets.UTF_8)),
                HandshakeTypedData.authRequestTypeHash());
        assertArrayEquals(Hash.sha3(HandshakeTypedData.AUTH_ACCEPT_TYPE.getBytes(StandardCharsets.UTF_8)),
                HandshakeTypedData.authAcceptTypeHash());
        assertArrayEquals(Hash.sha3(HandshakeTypedData.DOMAIN_TYPE.getBytes(StandardCharsets.UTF_8)),
                HandshakeTypedData.domainTypeHash());
        // The exact strings of the Messenger contract.
        assertEquals("AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,"
                + "bytes32 payloadHash)", HandshakeTypedData.AUTH_REQUEST_TYPE);
        assertEquals("AuthAccept(bytes32 requestId,bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,"
                + "uint40 signedAt,bytes32 payloadHash)", HandshakeTypedData.AUTH_ACCEPT_TYPE);
    }

    @Test
    void digestsMatchKnownAnswersFromAnIndependentImplementation() {
        byte[] requestId = requestDigest(DOMAIN);
        assertEquals(REQUEST_KAT, HEX.formatHex(requestId));
        byte[] accept = DOMAIN.authAcceptDigest(requestId, INITIATOR, RESPONDER, fill(0x55), SIGNED_AT + 60, fill(0x66));
        assertEquals(ACCEPT_KAT, HEX.formatHex(accept));
    }

    @Test
    void digestsMatchAHandRecomputation() {
        byte[] domainSeparator = Hash.sha3(concat(
                Hash.sha3(ascii("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
                Hash.sha3(ascii("peerkey Messenger")),
                Hash.sha3(ascii("2")),
                word(BigInteger.valueOf(31337)),
                word(new BigInteger("5FbDB2315678afecb367f032d93F642f64180aa3", 16))));
        assertArrayEquals(domainSeparator, DOMAIN.domainSeparator());
        byte[] structHash = Hash.sha3(concat(
                Hash.sha3(ascii("AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,"
                        + "uint40 signedAt,bytes32 payloadHash)")),
                fill(0x11), fill(0x22), fill(0x33), word(BigInteger.valueOf(SIGNED_AT)), fill(0x44)));
        byte[] expected = Hash.sha3(concat(new byte[] {0x19, 0x01}, domainSeparator, structHash));
        assertArrayEquals(expected, requestDigest(DOMAIN));
    }

    @Test
    void digestsMatchWeb3jStructuredDataEncoder() throws IOException {
        String domain = "\"domain\":{\"name\":\"peerkey Messenger\",\"version\":\"2\",\"chainId\":31337,"
                + "\"verifyingContract\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\"}";
        String types = "\"types\":{\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"},"
                + "{\"name\":\"version\",\"type\":\"string\"},{\"name\":\"chainId\",\"type\":\"uint256\"},"
                + "{\"name\":\"verifyingContract\",\"type\":\"address\"}],"
                + "\"AuthAccept\":[{\"name\":\"requestId\",\"type\":\"bytes32\"},"
                + "{\"name\":\"initiator\",\"type\":\"bytes32\"},{\"name\":\"responder\",\"type\":\"bytes32\"},"
                + "{\"name\":\"ephemeralKey\",\"type\":\"bytes32\"},{\"name\":\"signedAt\",\"type\":\"uint40\"},"
                + "{\"name\":\"payloadHash\",\"type\":\"bytes32\"}]}";
        byte[] requestId = Fixtures.random(32);
        byte[] ephemeral = Fixtures.random(32);
        byte[] payloadHash = Fixtures.random(32);
        long signedAt = HandshakeTypedData.MAX_UINT40;
        String json = "{" + types + ",\"primaryType\":\"AuthAccept\"," + domain + ",\"message\":{"
                + "\"requestId\":\"0x" + HEX.formatHex(requestId) + "\","
                + "\"initiator\":\"" + INITIATOR.hex() + "\",\"responder\":\"" + RESPONDER.hex() + "\","
                + "\"ephemeralKey\":\"0x" + HEX.formatHex(ephemeral) + "\",\"signedAt\":" + signedAt + ","
                + "\"payloadHash\":\"0x" + HEX.formatHex(payloadHash) + "\"}}";
        byte[] expected = new StructuredDataEncoder(json).hashStructuredData();
        assertArrayEquals(expected,
                DOMAIN.authAcceptDigest(requestId, INITIATOR, RESPONDER, ephemeral, signedAt, payloadHash));
    }

    @Test
    void digestsDependOnChainAndMessenger() {
        byte[] base = requestDigest(DOMAIN);
        assertFalse(Arrays.equals(base, requestDigest(new HandshakeTypedData(1, Fixtures.MESSENGER))));
        assertFalse(Arrays.equals(base,
                requestDigest(new HandshakeTypedData(Fixtures.CHAIN_ID, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"))));
        byte[] accept = DOMAIN.authAcceptDigest(base, INITIATOR, RESPONDER, fill(0x55), SIGNED_AT, fill(0x66));
        assertFalse(Arrays.equals(accept, new HandshakeTypedData(5, Fixtures.MESSENGER)
                .authAcceptDigest(base, INITIATOR, RESPONDER, fill(0x55), SIGNED_AT, fill(0x66))));
        assertFalse(Arrays.equals(accept, new HandshakeTypedData(Fixtures.CHAIN_ID,
                "0x0000000000000000000000000000000000000001")
                .authAcceptDigest(base, INITIATOR, RESPONDER, fill(0x55), SIGNED_AT, fill(0x66))));
    }

    @Test
    void digestsAreDeterministicAndCommitToEveryField() {
        assertArrayEquals(requestDigest(DOMAIN), requestDigest(new HandshakeTypedData(31337, MESSENGER_LOWER)));
        byte[] base = requestDigest(DOMAIN);
        assertNotEquals(HEX.formatHex(base), HEX.formatHex(
                DOMAIN.authRequestDigest(RESPONDER, INITIATOR, fill(0x33), SIGNED_AT, fill(0x44))));
        assertNotEquals(HEX.formatHex(base), HEX.formatHex(
                DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x34), SIGNED_AT, fill(0x44))));
        assertNotEquals(HEX.formatHex(base), HEX.formatHex(
                DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x33), SIGNED_AT + 1, fill(0x44))));
        assertNotEquals(HEX.formatHex(base), HEX.formatHex(
                DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x33), SIGNED_AT, fill(0x45))));
    }

    private static final String MESSENGER_LOWER = "5fbdb2315678afecb367f032d93f642f64180aa3";

    @Test
    void domainAcceptsAddressFormsAndRefusesMalformedOnes() {
        assertEquals(DOMAIN, new HandshakeTypedData(31337, MESSENGER_LOWER));
        assertEquals(DOMAIN.hashCode(), new HandshakeTypedData(31337, "0X" + MESSENGER_LOWER.toUpperCase()).hashCode());
        assertEquals("0x" + MESSENGER_LOWER, DOMAIN.messengerAddress());
        assertEquals(31337, DOMAIN.chainId());
        assertEquals("HandshakeTypedData[chainId=31337, messenger=0x" + MESSENGER_LOWER + "]", DOMAIN.toString());
        fails(HandshakeException.class, () -> new HandshakeTypedData(0, Fixtures.MESSENGER));
        fails(HandshakeException.class, () -> new HandshakeTypedData(-1, Fixtures.MESSENGER));
        fails(HandshakeException.class, () -> new HandshakeTypedData(1, null));
        fails(HandshakeException.class, () -> new HandshakeTypedData(1, "0x1234"));
        fails(HandshakeException.class, () -> new HandshakeTypedData(1, "0x" + MESSENGER_LOWER + "00"));
        fails(HandshakeException.class, () -> new HandshakeTypedData(1, "0xZZbdb2315678afecb367f032d93f642f64180aa3"));
    }

    @Test
    void refusesOutOfRangeFields() {
        fails(HandshakeException.class,
                () -> DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x33), -1, fill(0x44)));
        fails(HandshakeException.class, () -> DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x33),
                HandshakeTypedData.MAX_UINT40 + 1, fill(0x44)));
        fails(HandshakeException.class,
                () -> DOMAIN.authRequestDigest(INITIATOR, RESPONDER, new byte[31], SIGNED_AT, fill(0x44)));
        fails(HandshakeException.class,
                () -> DOMAIN.authRequestDigest(INITIATOR, RESPONDER, fill(0x33), SIGNED_AT, null));
        fails(HandshakeException.class,
                () -> DOMAIN.authAcceptDigest(new byte[33], INITIATOR, RESPONDER, fill(0x33), SIGNED_AT, fill(0x44)));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] word(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
