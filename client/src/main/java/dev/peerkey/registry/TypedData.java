package dev.peerkey.registry;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * EIP-712 digests of the registry's signed actions. The type strings match the
 * contract's; the domain binds every signature to one chain and one deployment.
 */
final class TypedData {
    static final String NAME = "peerkey IdentityRegistry";
    static final String VERSION = "2";

    private static final byte[] DOMAIN_TYPEHASH = typeHash(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    private static final byte[] REGISTER_TYPEHASH =
            typeHash("Register(bytes32 id,address recovery,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    private static final byte[] ROTATE_KEY_TYPEHASH = typeHash(
            "RotateKey(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt,uint32 nonce)");
    private static final byte[] REVOKE_TYPEHASH = typeHash("Revoke(bytes32 id,uint40 signedAt,uint32 nonce)");
    private static final byte[] RECOVERY_REVOKE_TYPEHASH = typeHash("RecoveryRevoke(bytes32 id)");
    private static final byte[] START_RECOVERY_TYPEHASH =
            typeHash("StartRecovery(bytes32 id,bytes32 newKeyHash,uint40 signedAt)");
    private static final byte[] CANCEL_RECOVERY_TYPEHASH = typeHash("CancelRecovery(bytes32 id,uint40 signedAt)");
    private static final byte[] COMPLETE_RECOVERY_TYPEHASH =
            typeHash("CompleteRecovery(bytes32 id,bytes32 newKeyHash,uint40 validUntil,uint40 signedAt)");

    private final byte[] domainSeparator;

    TypedData(long chainId, String registryAddress) {
        this.domainSeparator = Hash.sha3(words(
                DOMAIN_TYPEHASH,
                Hash.sha3(NAME.getBytes(StandardCharsets.UTF_8)),
                Hash.sha3(VERSION.getBytes(StandardCharsets.UTF_8)),
                word(BigInteger.valueOf(chainId)),
                address(registryAddress)));
    }

    /** @param recovery the recovery key's address, or null for none (address 0) */
    byte[] register(byte[] id, String recovery, long validUntil, long signedAt, long nonce) {
        return digest(words(REGISTER_TYPEHASH, id, address(recovery), word(validUntil), word(signedAt), word(nonce)));
    }

    byte[] rotateKey(byte[] id, byte[] newKeyHash, long validUntil, long signedAt, long nonce) {
        return digest(words(ROTATE_KEY_TYPEHASH, id, newKeyHash, word(validUntil), word(signedAt), word(nonce)));
    }

    byte[] revoke(byte[] id, long signedAt, long nonce) {
        return digest(words(REVOKE_TYPEHASH, id, word(signedAt), word(nonce)));
    }

    byte[] recoveryRevoke(byte[] id) {
        return digest(words(RECOVERY_REVOKE_TYPEHASH, id));
    }

    byte[] startRecovery(byte[] id, byte[] newKeyHash, long signedAt) {
        return digest(words(START_RECOVERY_TYPEHASH, id, newKeyHash, word(signedAt)));
    }

    byte[] cancelRecovery(byte[] id, long signedAt) {
        return digest(words(CANCEL_RECOVERY_TYPEHASH, id, word(signedAt)));
    }

    byte[] completeRecovery(byte[] id, byte[] newKeyHash, long validUntil, long signedAt) {
        return digest(words(COMPLETE_RECOVERY_TYPEHASH, id, newKeyHash, word(validUntil), word(signedAt)));
    }

    private static byte[] address(String address) {
        return address == null ? new byte[32] : Numeric.toBytesPadded(Numeric.toBigInt(address), 32);
    }

    private byte[] digest(byte[] encodedStruct) {
        byte[] prefixed = new byte[2 + 32 + 32];
        prefixed[0] = 0x19;
        prefixed[1] = 0x01;
        System.arraycopy(domainSeparator, 0, prefixed, 2, 32);
        System.arraycopy(Hash.sha3(encodedStruct), 0, prefixed, 34, 32);
        return Hash.sha3(prefixed);
    }

    private static byte[] typeHash(String type) {
        return Hash.sha3(type.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] word(long value) {
        return word(BigInteger.valueOf(value));
    }

    private static byte[] word(BigInteger value) {
        return Numeric.toBytesPadded(value, 32);
    }

    private static byte[] words(byte[]... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * words.length);
        for (byte[] word : words) {
            out.writeBytes(word);
        }
        return out.toByteArray();
    }
}
