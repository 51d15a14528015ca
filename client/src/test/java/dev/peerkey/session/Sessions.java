package dev.peerkey.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.junit.jupiter.api.function.Executable;

/** Test fixtures: a fresh initiator/responder pair and helpers to check rejections. */
final class Sessions {
    static final SecureRandom RANDOM = new SecureRandom();
    static final byte[] AD = "alice-id|bob-id|transcript-hash".getBytes(StandardCharsets.US_ASCII);

    final DoubleRatchet alice;
    final DoubleRatchet bob;
    final byte[] sharedSecret;
    final RatchetKeyPair bobFirstKey;

    private Sessions(byte[] sharedSecret, RatchetKeyPair bobFirstKey, byte[] ad) {
        this.sharedSecret = sharedSecret;
        this.bobFirstKey = bobFirstKey;
        this.alice = DoubleRatchet.initiator(sharedSecret, bobFirstKey.publicKey(), ad);
        this.bob = DoubleRatchet.responder(sharedSecret, bobFirstKey, ad);
    }

    static Sessions create() {
        return new Sessions(random(32), RatchetKeyPair.generate(), AD);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Sends {@code message} from {@code from} to {@code to} and checks it arrives intact. */
    static void exchange(DoubleRatchet from, DoubleRatchet to, String message) {
        assertEquals(message, string(to.decrypt(from.encrypt(text(message)))));
    }

    /** Asserts that {@code call} throws {@code type} and leaves {@code session} byte-for-byte unchanged. */
    static <T extends Throwable> T rejectedUnchanged(Class<T> type, DoubleRatchet session, Executable call) {
        byte[] before = session.toBytes();
        T thrown = assertThrows(type, call);
        assertArrayEquals(before, session.toBytes(), "state changed by a rejected call");
        assertNoKeyMaterial(thrown.getMessage());
        return thrown;
    }

    /** One sentence, no long runs of hex or base64 that could be key bytes. */
    static void assertNoKeyMaterial(String message) {
        if (message == null || message.isBlank() || message.matches("(?s).*[0-9a-fA-F]{16,}.*")
                || message.matches("(?s).*[A-Za-z0-9+/=]{40,}.*")) {
            throw new AssertionError("exception message is empty or may contain key material: " + message);
        }
    }
}
