package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Hash;

class RecoveryKeyTest {
    /** BIP-39 test vector: entropy 0x7f repeated 32 times. */
    private static final String SEVEN_F_WORDS = "legal winner thank year wave sausage worth useful legal winner"
            + " thank year wave sausage worth useful legal winner thank year wave sausage worth title";
    private static final String SEVEN_F_SCALAR = "7f".repeat(32);

    @TempDir
    Path dir;

    private static RecoveryKeyException fails(Executable call) {
        return assertThrows(RecoveryKeyException.class, call);
    }

    @Test
    void theWordsEncodeThePrivateScalar() {
        RecoveryKey key = RecoveryKey.fromWords(SEVEN_F_WORDS);
        assertEquals(IdentityKey.fromPrivateKey(new BigInteger(SEVEN_F_SCALAR, 16)).address(), key.address());
        assertEquals(SEVEN_F_WORDS, key.words());
    }

    @Test
    void generatedKeysRoundTripThroughTheirWords() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            RecoveryKey key = RecoveryKey.generate(random);
            assertEquals(RecoveryKey.WORD_COUNT, key.words().split(" ").length);
            assertEquals(key.address(), RecoveryKey.fromWords(key.words()).address());
        }
    }

    @Test
    void caseAndSpacingDoNotMatter() {
        String messy = "  " + SEVEN_F_WORDS.toUpperCase().replace(" ", "\n\t ") + "\n";
        assertEquals(RecoveryKey.fromWords(SEVEN_F_WORDS).address(), RecoveryKey.fromWords(messy).address());
    }

    @Test
    void signaturesRecoverToTheAddress() {
        RecoveryKey key = RecoveryKey.generate();
        byte[] digest = Hash.sha3("recover me".getBytes(StandardCharsets.UTF_8));
        byte[] signature = key.sign(digest);
        assertEquals(65, signature.length);
        assertEquals(key.address(), Signatures.recover(digest, signature).address());
    }

    @Test
    void wrongWordCountIsRefused() {
        String[] words = SEVEN_F_WORDS.split(" ");
        String message = fails(() -> RecoveryKey.fromWords(String.join(" ", List.of(words).subList(0, 23))))
                .getMessage();
        assertEquals("a recovery phrase has 24 words, not 23", message);
        fails(() -> RecoveryKey.fromWords(SEVEN_F_WORDS + " legal"));
        assertTrue(fails(() -> RecoveryKey.fromWords("  ")).getMessage().contains("no recovery words"));
        fails(() -> RecoveryKey.fromWords(null));
    }

    @Test
    void anUnknownWordIsNamedByPositionNotEchoed() {
        String typo = SEVEN_F_WORDS.replaceFirst("winner", "winnerr");
        String message = fails(() -> RecoveryKey.fromWords(typo)).getMessage();
        assertEquals("recovery word 2 is not in the BIP-39 English word list (check its spelling)", message);
        assertFalse(message.contains("winner"), message);
    }

    @Test
    void aFailedChecksumIsRefused() {
        List<String> words = new ArrayList<>(List.of(SEVEN_F_WORDS.split(" ")));
        Collections.swap(words, 0, 1);
        String message = fails(() -> RecoveryKey.fromWords(String.join(" ", words))).getMessage();
        assertTrue(message.contains("checksum"), message);
        assertFalse(message.contains("legal"), message);
    }

    @Test
    void entropyThatIsNotAValidScalarIsRefused() {
        // BIP-39 vectors for all-zero and all-one entropy: valid phrases, unusable secp256k1 keys.
        String zero = "abandon ".repeat(23) + "art";
        String ones = "zoo ".repeat(23) + "vote";
        assertTrue(fails(() -> RecoveryKey.fromWords(zero)).getMessage().contains("usable secp256k1 key"));
        assertTrue(fails(() -> RecoveryKey.fromWords(ones)).getMessage().contains("usable secp256k1 key"));
    }

    @Test
    void toStringShowsTheAddressOnly() {
        RecoveryKey key = RecoveryKey.fromWords(SEVEN_F_WORDS);
        assertEquals("RecoveryKey[address=" + key.address() + "]", key.toString());
        assertFalse(key.toString().contains("legal"));
    }

    @Test
    void aFileRoundTripsWithOwnerOnlyPermissions() throws Exception {
        RecoveryKey key = RecoveryKey.generate();
        Path file = dir.resolve("recovery.txt");
        key.writeFile(file);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        assertEquals(key.words() + "\n", Files.readString(file));
        assertEquals(key.address(), RecoveryKey.readFile(file).address());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("recovery.txt");
        Files.writeString(file, "keep me");
        String message = fails(() -> RecoveryKey.generate().writeFile(file)).getMessage();
        assertTrue(message.contains("already exists"), message);
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void fileErrorsAreClear() throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertEquals("recovery file " + missing + " does not exist",
                fails(() -> RecoveryKey.readFile(missing)).getMessage());
        Path noDir = dir.resolve("no-such-dir").resolve("recovery.txt");
        assertTrue(fails(() -> RecoveryKey.generate().writeFile(noDir)).getMessage()
                .contains("its directory does not exist"));
        Path garbage = dir.resolve("garbage.txt");
        Files.writeString(garbage, "not a recovery phrase");
        String message = fails(() -> RecoveryKey.readFile(garbage)).getMessage();
        assertTrue(message.startsWith("recovery file " + garbage + ": a recovery phrase has 24 words"), message);
        Path huge = dir.resolve("huge.txt");
        Files.write(huge, new byte[10_000]);
        assertTrue(fails(() -> RecoveryKey.readFile(huge)).getMessage().contains("far larger"));
    }
}
