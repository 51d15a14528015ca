package dev.peerkey.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

import dev.peerkey.identity.IdentityKey;
import org.junit.jupiter.api.function.Executable;

/** Shared test values: a domain, identities, helpers for secrets and error messages. */
final class Fixtures {
    static final SecureRandom RANDOM = new SecureRandom();
    static final long CHAIN_ID = 31337;
    static final String MESSENGER = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    static final HandshakeTypedData DOMAIN = new HandshakeTypedData(CHAIN_ID, MESSENGER);
    static final Instant NOW = Instant.parse("2026-11-02T10:15:30Z");

    private Fixtures() {
    }

    static LocalIdentity identity() {
        return LocalIdentity.of(IdentityKey.generate());
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] flip(byte[] data, int bit) {
        byte[] copy = data.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static String privateHex(IdentityKey key) {
        return IdentityKeys.privateScalar(key).toString(16);
    }

    /** Asserts {@code text} contains none of the secrets, in lower or upper case hex. */
    static void assertNoSecret(String text, byte[]... secrets) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (byte[] secret : secrets) {
            assertFalse(lower.contains(hex(secret)), "secret leaked into: " + text);
            assertFalse(text.contains(java.util.Arrays.toString(secret)), "secret leaked into: " + text);
        }
    }

    /** Asserts {@code call} throws exactly {@code type}, with a message free of long hex or base64 runs. */
    static <T extends Throwable> T fails(Class<T> type, Executable call) {
        T thrown = assertThrows(type, call);
        if (thrown.getClass() != type) {
            throw new AssertionError("expected exactly " + type.getSimpleName() + " but got "
                    + thrown.getClass().getSimpleName() + ": " + thrown.getMessage(), thrown);
        }
        assertNoKeyMaterial(thrown.getMessage());
        return thrown;
    }

    static void assertNoKeyMaterial(String message) {
        if (message == null || message.isBlank() || message.matches("(?s).*[0-9a-fA-F]{16,}.*")
                || message.matches("(?s).*[A-Za-z0-9+/=]{40,}.*")) {
            throw new AssertionError("exception message is empty or may contain key material: " + message);
        }
    }
}
