package dev.peerkey.identity;

import java.util.Arrays;

import org.web3j.crypto.Hash;

/**
 * A peer's identity: keccak256 of its 64-byte public key. The last 20 bytes are the
 * key's Ethereum address, so the ID can be checked against an on-chain sender.
 */
public final class PeerId implements Comparable<PeerId> {
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private PeerId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static PeerId of(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedKeyException("peer ID is missing");
        }
        if (bytes.length != LENGTH) {
            throw new MalformedKeyException("peer ID must be 32 bytes, got " + bytes.length);
        }
        return new PeerId(bytes.clone());
    }

    public static PeerId of(PublicKey key) {
        return key.id();
    }

    /** Parses 64 hex digits, case-insensitive, with or without a 0x prefix. */
    public static PeerId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new MalformedKeyException("peer ID is missing");
        }
        byte[] raw = Hex.decodeOrNull(text);
        if (raw == null || raw.length != LENGTH) {
            throw new MalformedKeyException("peer ID must be 0x followed by 64 hex digits");
        }
        return new PeerId(raw);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** "0x" followed by 64 lowercase hex digits. */
    public String hex() {
        return Hex.encode0x(bytes);
    }

    /** The EIP-55 checksummed address: the last 20 bytes of the ID. */
    public String address() {
        // EIP-55 here rather than web3j's Keys, whose class initialiser registers the whole
        // BouncyCastle JCA provider and costs a read-only CLI command a few hundred ms.
        String hex = Hex.encode0x(Arrays.copyOfRange(bytes, 12, LENGTH)).substring(2);
        byte[] hash = Hash.sha3(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        StringBuilder checksummed = new StringBuilder("0x");
        for (int i = 0; i < hex.length(); i++) {
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
            char c = hex.charAt(i);
            checksummed.append(nibble >= 8 ? Character.toUpperCase(c) : c);
        }
        return checksummed.toString();
    }

    public DisplayName displayName() {
        return DisplayName.of(this);
    }

    public boolean matches(PublicKey key) {
        return key != null && equals(key.id());
    }

    /** Unsigned byte order, so sorting matches hex order. */
    @Override
    public int compareTo(PeerId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
