package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peerkey.identity.KeystoreException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

class KeystoreTest {
    private static final char[] PASSWORD = "correct horse battery staple".toCharArray();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static BigInteger secret(IdentityKey key) {
        return key.credentials().getEcKeyPair().getPrivateKey();
    }

    private static KeystoreException expect(Reason reason, org.junit.jupiter.api.function.Executable call) {
        KeystoreException e = assertThrows(KeystoreException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void saveAndLoadRoundTrip() {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey key = IdentityKey.generate();
        Path file = ks.save(key, PASSWORD);
        assertEquals(ks.fileOf(key.id()), file);
        assertEquals(key.id().hex().substring(2) + ".json", file.getFileName().toString());
        assertTrue(ks.contains(key.id()));
        IdentityKey loaded = ks.load(key.id(), PASSWORD);
        assertEquals(key.id(), loaded.id());
        assertEquals(secret(key), secret(loaded));
        assertEquals(secret(key), secret(Keystore.read(file, PASSWORD)));
    }

    @Test
    void defaultConstructorUsesStandardScrypt() throws IOException {
        Keystore ks = new Keystore(tmp);
        IdentityKey key = IdentityKeyTest.hardhat0();
        Path file = ks.save(key, PASSWORD);
        assertEquals(262144, JSON.readTree(file.toFile()).at("/crypto/kdfparams/n").asInt());
        assertEquals(IdentityKeyTest.HARDHAT0_ADDRESS, ks.load(key.id(), PASSWORD).address());
    }

    @Test
    void filesAreOwnerOnlyAndTheDirectoryIsCreated() throws IOException {
        Path dir = tmp.resolve("a/keys");
        Keystore ks = Keystore.withLightScrypt(dir);
        Path file = ks.save(IdentityKey.generate(), PASSWORD);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file may be left behind");
        }
    }

    @Test
    void webThreeJReadsOurFiles() throws Exception {
        IdentityKey key = IdentityKey.generate();
        Path file = Keystore.withLightScrypt(tmp).save(key, PASSWORD);
        Credentials c = WalletUtils.loadCredentials(new String(PASSWORD), file.toFile());
        assertEquals(secret(key), c.getEcKeyPair().getPrivateKey());
        assertEquals(key.address().toLowerCase(Locale.ROOT), c.getAddress());
    }

    @Test
    void weReadWebThreeJFiles() throws Exception {
        IdentityKey key = IdentityKey.generate();
        String name = WalletUtils.generateWalletFile(
                new String(PASSWORD), key.credentials().getEcKeyPair(), tmp.toFile(), false);
        IdentityKey read = Keystore.read(tmp.resolve(name), PASSWORD);
        assertEquals(key.id(), read.id());
    }

    @Test
    void wrongPasswordIsReportedAndTheFileIsUntouched() throws IOException {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey key = IdentityKeyTest.hardhat0();
        Path file = ks.save(key, PASSWORD);
        byte[] before = Files.readAllBytes(file);
        KeystoreException e = expect(Reason.WRONG_PASSWORD, () -> ks.load(key.id(), "wrong".toCharArray()));
        assertEquals("wrong password for keystore " + file.getFileName(), e.getMessage());
        IdentityKeyTest.assertNoSecret(e.getMessage(), IdentityKeyTest.HARDHAT0_KEY);
        assertArrayEquals(before, Files.readAllBytes(file));
        expect(Reason.WRONG_PASSWORD, () -> ks.load(key.id(), new char[0]));
    }

    @Test
    void corruptFilesAreReportedAsCorrupt() throws IOException {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey key = IdentityKeyTest.hardhat0();
        Path file = ks.save(key, PASSWORD);
        byte[] good = Files.readAllBytes(file);
        String name = file.getFileName().toString();

        ObjectNode noCrypto = (ObjectNode) JSON.readTree(good);
        noCrypto.remove("crypto");
        ObjectNode argon = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) argon.get("crypto")).put("kdf", "argon2id");
        ObjectNode shortMac = (ObjectNode) JSON.readTree(good);
        ObjectNode crypto = (ObjectNode) shortMac.get("crypto");
        crypto.put("mac", crypto.get("mac").asText().substring(2)); // would be "wrong password" in web3j
        ObjectNode badHex = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) badHex.get("crypto")).put("ciphertext", "zz".repeat(32));
        ObjectNode v1 = (ObjectNode) JSON.readTree(good);
        v1.put("version", 1);
        ObjectNode hugeN = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) hugeN.at("/crypto/kdfparams")).put("n", 1 << 30);

        Object[][] cases = {
                {Arrays.copyOf(good, good.length / 2), "it is not valid JSON"},
                {"\u0000\u00ff garbage".getBytes(StandardCharsets.ISO_8859_1), "it is not valid JSON"},
                {new byte[0], "it is not a JSON object"},
                {"[1,2]".getBytes(StandardCharsets.US_ASCII), "it is not a JSON object"},
                {JSON.writeValueAsBytes(noCrypto), "the crypto section is missing"},
                {JSON.writeValueAsBytes(argon), "the key derivation function is not scrypt or pbkdf2"},
                {JSON.writeValueAsBytes(shortMac), "the mac field is not 32 bytes"},
                {JSON.writeValueAsBytes(badHex), "the ciphertext field is not hex"},
                {JSON.writeValueAsBytes(v1), "it is not a version 3 keystore"},
                {JSON.writeValueAsBytes(hugeN), "the scrypt parameters would need more than 1 GiB of memory"},
        };
        for (Object[] c : cases) {
            Files.write(file, (byte[]) c[0]);
            KeystoreException e = expect(Reason.CORRUPT, () -> ks.load(key.id(), PASSWORD));
            assertEquals("keystore file " + name + " is corrupt: " + c[1], e.getMessage());
            IdentityKeyTest.assertNoSecret(e.getMessage(), IdentityKeyTest.HARDHAT0_KEY);
        }
    }

    @Test
    void aFileHoldingAnotherKeyIsCorrupt() throws IOException {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey a = IdentityKey.generate();
        IdentityKey b = IdentityKey.generate();
        Path fileA = ks.save(a, PASSWORD);
        Files.copy(fileA, ks.fileOf(b.id()));
        KeystoreException e = expect(Reason.CORRUPT, () -> ks.load(b.id(), PASSWORD));
        assertTrue(e.getMessage().endsWith("its file name does not match the key it holds"), e.getMessage());

        // An address field naming another key is caught too, whatever the file is called.
        ObjectNode json = (ObjectNode) JSON.readTree(fileA.toFile());
        json.put("address", b.address().substring(2).toLowerCase(Locale.ROOT));
        Path renamed = tmp.resolve("UTC--imported.json");
        Files.write(renamed, JSON.writeValueAsBytes(json));
        e = expect(Reason.CORRUPT, () -> Keystore.read(renamed, PASSWORD));
        assertTrue(e.getMessage().endsWith("its address field does not match the key it holds"), e.getMessage());
    }

    @Test
    void missingKeyIsNotFound() {
        Keystore ks = Keystore.withLightScrypt(tmp.resolve("nowhere"));
        PeerId id = IdentityKey.generate().id();
        KeystoreException e = expect(Reason.NOT_FOUND, () -> ks.load(id, PASSWORD));
        assertTrue(e.getMessage().startsWith("no key for " + id.hex() + " in "), e.getMessage());
        assertFalse(ks.contains(id));
        expect(Reason.NOT_FOUND, () -> Keystore.read(tmp.resolve("absent.json"), PASSWORD));
    }

    @Test
    void refusesToOverwrite() throws IOException {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey key = IdentityKey.generate();
        Path file = ks.save(key, PASSWORD);
        byte[] before = Files.readAllBytes(file);
        KeystoreException e = expect(Reason.IO, () -> ks.save(key, "another".toCharArray()));
        assertEquals("a key for " + key.id() + " already exists in " + tmp, e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(secret(key), secret(ks.load(key.id(), PASSWORD)));
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsAnIoError() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        KeystoreException e = expect(Reason.IO,
                () -> Keystore.withLightScrypt(notADir).save(IdentityKey.generate(), PASSWORD));
        assertTrue(e.getMessage().startsWith("cannot create keystore directory " + notADir), e.getMessage());
    }

    @Test
    void listShowsOnlyMatchingKeystoreFilesInOrder() throws IOException {
        Keystore ks = Keystore.withLightScrypt(tmp);
        assertEquals(List.of(), Keystore.withLightScrypt(tmp.resolve("missing")).list());
        IdentityKey a = IdentityKey.generate();
        IdentityKey b = IdentityKey.generate();
        IdentityKey c = IdentityKey.generate();
        ks.save(a, PASSWORD);
        ks.save(b, PASSWORD);
        Files.writeString(tmp.resolve("notes.txt"), "hello");
        Files.writeString(ks.fileOf(IdentityKey.generate().id()), "{not json");
        Files.copy(ks.fileOf(a.id()), ks.fileOf(c.id())); // holds a's key under c's name
        Files.createDirectory(tmp.resolve("0".repeat(64) + ".json"));
        List<PeerId> expected = a.id().compareTo(b.id()) < 0 ? List.of(a.id(), b.id()) : List.of(b.id(), a.id());
        assertEquals(expected, ks.list());
    }

    @Test
    void errorsNeverContainTheKey() {
        Keystore ks = Keystore.withLightScrypt(tmp);
        IdentityKey key = IdentityKeyTest.hardhat0();
        ks.save(key, PASSWORD);
        for (Throwable t = expect(Reason.IO, () -> ks.save(key, PASSWORD)); t != null; t = t.getCause()) {
            IdentityKeyTest.assertNoSecret(String.valueOf(t.getMessage()), IdentityKeyTest.HARDHAT0_KEY);
        }
        IdentityKeyTest.assertNoSecret(ks.toString(), IdentityKeyTest.HARDHAT0_KEY);
    }
}
