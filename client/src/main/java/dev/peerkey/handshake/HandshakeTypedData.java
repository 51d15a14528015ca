package dev.peerkey.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import dev.peerkey.identity.PeerId;
import org.web3j.crypto.Hash;

/**
 * EIP-712 digests of the two signed handshake steps, for one Messenger deployment: the domain
 * is {@value #NAME}, version {@value #VERSION}, the chain ID and the messenger's address, so a
 * signature cannot be replayed on another chain or another deployment. The type strings are the
 * contract's, byte for byte. Every field is encoded as one 32-byte big-endian word
 * ({@code abi.encode}); the digest is {@code keccak256(0x19 0x01 || domainSeparator ||
 * keccak256(typeHash || fields))}. The digest of an AuthRequest is its request ID.
 *
 * <p>Immutable; equal when chain ID and messenger address are equal.
 */
public final class HandshakeTypedData {
    public static final String NAME = "peerkey Messenger";
    public static final String VERSION = "2";
    public static final String DOMAIN_TYPE =
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
    public static final String AUTH_REQUEST_TYPE =
            "AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)";
    public static final String AUTH_ACCEPT_TYPE = "AuthAccept(bytes32 requestId,bytes32 initiator,"
            + "bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)";
    /** The largest {@code uint40}: the latest {@code signedAt} the contract can hold. */
    public static final long MAX_UINT40 = (1L << 40) - 1;

    private static final byte[] DOMAIN_TYPEHASH = typeHash(DOMAIN_TYPE);
    private static final byte[] AUTH_REQUEST_TYPEHASH = typeHash(AUTH_REQUEST_TYPE);
    private static final byte[] AUTH_ACCEPT_TYPEHASH = typeHash(AUTH_ACCEPT_TYPE);
    private static final int WORD = 32;
    private static final int ADDRESS_SIZE = 20;

    private final long chainId;
    private final byte[] messenger;
    private final byte[] domainSeparator;

    /**
     * @param chainId the chain's ID (positive)
     * @param messengerAddress the Messenger contract's address: 40 hex digits, 0x prefix optional,
     *     any letter case (the EIP-55 checksum is not checked)
     * @throws HandshakeException if either is malformed
     */
    public HandshakeTypedData(long chainId, String messengerAddress) {
        if (chainId <= 0) {
            throw new HandshakeException("the chain ID must be positive, got " + chainId);
        }
        this.chainId = chainId;
        this.messenger = parseAddress(messengerAddress);
        this.domainSeparator = Hash.sha3(HandshakeCrypto.concat(
                DOMAIN_TYPEHASH,
                Hash.sha3(NAME.getBytes(StandardCharsets.UTF_8)),
                Hash.sha3(VERSION.getBytes(StandardCharsets.UTF_8)),
                word(chainId),
                leftPad(messenger)));
    }

    /** keccak256 of {@link #DOMAIN_TYPE}. */
    public static byte[] domainTypeHash() {
        return DOMAIN_TYPEHASH.clone();
    }

    /** keccak256 of {@link #AUTH_REQUEST_TYPE}, the contract's {@code AUTH_REQUEST_TYPEHASH}. */
    public static byte[] authRequestTypeHash() {
        return AUTH_REQUEST_TYPEHASH.clone();
    }

    /** keccak256 of {@link #AUTH_ACCEPT_TYPE}, the contract's {@code AUTH_ACCEPT_TYPEHASH}. */
    public static byte[] authAcceptTypeHash() {
        return AUTH_ACCEPT_TYPEHASH.clone();
    }

    public long chainId() {
        return chainId;
    }

    /** The messenger's address as "0x" and 40 lowercase hex digits. */
    public String messengerAddress() {
        return "0x" + HexFormat.of().formatHex(messenger);
    }

    /** The EIP-712 domain separator, as the contract's {@code domainSeparator()} returns it. */
    public byte[] domainSeparator() {
        return domainSeparator.clone();
    }

    /**
     * The digest the initiator signs, which is also the request ID.
     *
     * @throws HandshakeException if a length or {@code signedAt} is out of range
     */
    public byte[] authRequestDigest(PeerId initiator, PeerId responder, byte[] ephemeralKey, long signedAt,
            byte[] payloadHash) {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        return digest(HandshakeCrypto.concat(
                AUTH_REQUEST_TYPEHASH,
                initiator.bytes(),
                responder.bytes(),
                word32("ephemeral key", ephemeralKey),
                uint40(signedAt),
                word32("payload hash", payloadHash)));
    }

    /**
     * The digest the responder signs.
     *
     * @throws HandshakeException if a length or {@code signedAt} is out of range
     */
    public byte[] authAcceptDigest(byte[] requestId, PeerId initiator, PeerId responder, byte[] ephemeralKey,
            long signedAt, byte[] payloadHash) {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(responder, "responder");
        return digest(HandshakeCrypto.concat(
                AUTH_ACCEPT_TYPEHASH,
                word32("request ID", requestId),
                initiator.bytes(),
                responder.bytes(),
                word32("ephemeral key", ephemeralKey),
                uint40(signedAt),
                word32("payload hash", payloadHash)));
    }

    /** @throws HandshakeException unless 0 <= signedAt <= {@link #MAX_UINT40} */
    static void checkSignedAt(long signedAt) {
        if (signedAt < 0 || signedAt > MAX_UINT40) {
            throw new HandshakeException("signedAt must be a uint40 (seconds since 1970, 0 to "
                    + MAX_UINT40 + "), got " + signedAt);
        }
    }

    private byte[] digest(byte[] encodedStruct) {
        byte[] structHash = Hash.sha3(encodedStruct);
        return Hash.sha3(HandshakeCrypto.concat(new byte[] {0x19, 0x01}, domainSeparator, structHash));
    }

    private static byte[] typeHash(String type) {
        return Hash.sha3(type.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] uint40(long value) {
        checkSignedAt(value);
        return word(value);
    }

    private static byte[] word(long value) {
        byte[] raw = BigInteger.valueOf(value).toByteArray();
        byte[] out = new byte[WORD];
        int n = Math.min(raw.length, WORD);
        System.arraycopy(raw, raw.length - n, out, WORD - n, n);
        return out;
    }

    private static byte[] leftPad(byte[] address) {
        byte[] out = new byte[WORD];
        System.arraycopy(address, 0, out, WORD - address.length, address.length);
        return out;
    }

    private static byte[] word32(String what, byte[] value) {
        if (value == null || value.length != WORD) {
            throw new HandshakeException("the " + what + " must be 32 bytes, got "
                    + (value == null ? 0 : value.length));
        }
        return value;
    }

    private static byte[] parseAddress(String address) {
        if (address == null) {
            throw new HandshakeException("the messenger address is missing");
        }
        String digits = address.startsWith("0x") || address.startsWith("0X") ? address.substring(2) : address;
        if (digits.length() != 2 * ADDRESS_SIZE || !digits.chars().allMatch(HexFormat::isHexDigit)) {
            throw new HandshakeException("the messenger address must be 0x followed by 40 hex digits");
        }
        return HexFormat.of().parseHex(digits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeTypedData other && chainId == other.chainId
                && Arrays.equals(messenger, other.messenger);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(chainId) + Arrays.hashCode(messenger);
    }

    @Override
    public String toString() {
        return "HandshakeTypedData[chainId=" + chainId + ", messenger=" + messengerAddress() + "]";
    }
}
