package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.WalletUtils;

/**
 * `id export`, `id import`, `id passwd` and `id show` (key index and address after a rotation),
 * each command a separate process; the files are checked with web3j's WalletUtils, the loader
 * wallets built on web3j use.
 */
class IdKeysIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    static Path dir;

    private static TestChain node;
    private static Path passwordFile;

    @BeforeAll
    static void setUp() throws IOException {
        passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD + "\n");
    }

    @AfterAll
    static void tearDown() {
        if (node != null) {
            node.close();
        }
    }

    private static Cli profile(String name) {
        return new Cli(Map.of("PEERKEY_HOME", dir.resolve(name).toString(), "PEERKEY_PASSWORD_FILE",
                passwordFile.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain-" + name).toString()));
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static Cli.Result fails(Cli cli, String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains(expected), result::toString);
        assertEquals(1, result.stderr().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
        assertFalse(result.stderr().contains(PASSWORD), "no password in errors");
        return result;
    }

    /** Every file of a profile with its bytes: what "changes nothing" is checked against. */
    private static Map<String, String> snapshot(Path home) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().equals(".passwd.lock")) {
                    continue; // the lock of `id passwd`, empty
                }
                files.put(home.relativize(p).toString(), HexFormat.of().formatHex(Hash.sha256(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private static Path writeJson(String name, Object json) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, JSON.writeValueAsBytes(json));
        return file;
    }

    /** A V3 file with pbkdf2-hmac-sha256 (which web3j reads but does not write), made by hand from the spec. */
    private static Path pbkdf2File(String name, ECKeyPair pair, String password, int c) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[32];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
        gen.init(password.getBytes(StandardCharsets.UTF_8), salt, c);
        byte[] dk = ((KeyParameter) gen.generateDerivedParameters(256)).getKey();
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dk, 0, 16, "AES"), new IvParameterSpec(iv));
        byte[] secret = org.web3j.utils.Numeric.toBytesPadded(pair.getPrivateKey(), 32);
        byte[] ciphertext = aes.doFinal(secret);
        byte[] macInput = new byte[16 + ciphertext.length];
        System.arraycopy(dk, 16, macInput, 0, 16);
        System.arraycopy(ciphertext, 0, macInput, 16, ciphertext.length);
        HexFormat hex = HexFormat.of();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 3);
        root.put("id", java.util.UUID.randomUUID().toString());
        root.put("address", Keys.getAddress(pair));
        ObjectNode crypto = root.putObject("crypto");
        crypto.put("cipher", "aes-128-ctr");
        crypto.put("ciphertext", hex.formatHex(ciphertext));
        crypto.putObject("cipherparams").put("iv", hex.formatHex(iv));
        crypto.put("kdf", "pbkdf2");
        ObjectNode kp = crypto.putObject("kdfparams");
        kp.put("c", c);
        kp.put("dklen", 32);
        kp.put("prf", "hmac-sha256");
        kp.put("salt", hex.formatHex(salt));
        crypto.put("mac", hex.formatHex(Hash.sha3(macInput)));
        return writeJson(name, root);
    }

    /** The ID peerkey gives a key: keccak256 of its 64-byte public key. */
    private static String idOf(ECKeyPair pair) {
        return "0x" + HexFormat.of().formatHex(Hash.sha3(org.web3j.utils.Numeric.toBytesPadded(pair.getPublicKey(), 64)));
    }

    @Test
    void exportWritesAKeystoreWalletsLoadAndNeverOverwritesWithoutForce() throws Exception {
        Cli alice = profile("export-alice");
        JsonNode made = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        Path out = dir.resolve("alice-export.json");
        JsonNode exported = ok(alice, "id", "export", "--out", out.toString(), "--json").json();
        assertEquals(made.path("id"), exported.path("id"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        Credentials loaded = WalletUtils.loadCredentials(PASSWORD, out.toFile());
        assertEquals(made.path("address").asText().toLowerCase(), loaded.getAddress().toLowerCase());
        assertThrows(CipherException.class, () -> WalletUtils.loadCredentials("not the password", out.toFile()));

        byte[] before = Files.readAllBytes(out);
        Files.writeString(dir.resolve("precious.txt"), "do not lose me");
        fails(alice, "precious.txt exists: pass --force to replace it", "id", "export", "--out",
                dir.resolve("precious.txt").toString());
        assertEquals("do not lose me", Files.readString(dir.resolve("precious.txt")));
        fails(alice, "exists: pass --force", "id", "export", "--id", made.path("name").asText(), "--out", out.toString());
        assertArrayEquals(before, Files.readAllBytes(out));
        ok(alice, "id", "export", "--out", dir.resolve("precious.txt").toString(), "--force");
        assertEquals(loaded.getAddress(),
                WalletUtils.loadCredentials(PASSWORD, dir.resolve("precious.txt").toFile()).getAddress());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("precious.txt"))));

        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not it\n");
        fails(alice, "wrong password", "id", "export", "--out", dir.resolve("never.json").toString(),
                "--password-file", wrong.toString());
        assertFalse(Files.exists(dir.resolve("never.json")));
    }

    @Test
    void importRefusesWeakKdfUnlessReencryptedAndThenRefusesTheDuplicate() throws Exception {
        Cli alice = profile("weak-alice");
        JsonNode made = ok(alice, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        Path light = dir.resolve("light-export.json");
        ok(alice, "id", "export", "--out", light.toString());

        Cli carol = profile("weak-carol");
        ok(carol, "id", "new", "--fast-kdf", "--no-recovery");
        Map<String, String> before = snapshot(dir.resolve("weak-carol"));
        fails(carol, "cannot import light-export.json: its key derivation is weak (scrypt n = 4096, below the minimum"
                + " n = 16384)", "id", "import", light.toString());
        assertEquals(before, snapshot(dir.resolve("weak-carol")), "a refused import changes nothing");

        JsonNode imported = ok(carol, "id", "import", light.toString(), "--reencrypt", "--json").json();
        assertEquals(made.path("id"), imported.path("id"));
        assertTrue(imported.path("reencrypted").asBoolean());
        Path stored = dir.resolve("weak-carol/keystore/" + made.path("id").asText().substring(2) + ".json");
        assertEquals(made.path("address").asText().toLowerCase(),
                WalletUtils.loadCredentials(PASSWORD, stored.toFile()).getAddress().toLowerCase());
        assertEquals(2, ok(carol, "id", "list", "--json").json().path("identities").size());

        Map<String, String> after = snapshot(dir.resolve("weak-carol"));
        fails(carol, "is already in this profile", "id", "import", light.toString(), "--reencrypt");
        assertEquals(after, snapshot(dir.resolve("weak-carol")), "a duplicate changes nothing");

        ECKeyPair pair = Keys.createEcKeyPair();
        Path pbkdf2 = pbkdf2File("weak-pbkdf2.json", pair, PASSWORD, 1000);
        fails(carol, "its key derivation is weak (pbkdf2 c = 1000, below the minimum c = 100000)", "id", "import",
                pbkdf2.toString());
        assertEquals(after, snapshot(dir.resolve("weak-carol")));
        JsonNode fromPbkdf2 = ok(carol, "id", "import", pbkdf2.toString(), "--reencrypt", "--json").json();
        assertEquals(idOf(pair), fromPbkdf2.path("id").asText());
    }

    @Test
    void aStrongFileIsStoredAsItIsAndAWrongPasswordOrMalformedFileChangesNothing() throws Exception {
        Cli dave = profile("strong-dave");
        ok(dave, "id", "new", "--fast-kdf", "--no-recovery");
        Path home = dir.resolve("strong-dave");
        Map<String, String> before = snapshot(home);

        ECKeyPair pair = Keys.createEcKeyPair();
        WalletFile other = Wallet.create("another password entirely", pair, 1 << 14, 1);
        Path otherFile = writeJson("other-password.json", other);
        Cli.Result wrong = fails(dave, "cannot import other-password.json: wrong password", "id", "import",
                otherFile.toString());
        assertTrue(wrong.stderr().contains("--file-password-file"), wrong::toString);
        assertEquals(before, snapshot(home));

        Path malformed = dir.resolve("malformed.json");
        Files.writeString(malformed, "{\"version\":3,\"crypto\":");
        fails(dave, "cannot import malformed.json: keystore file malformed.json is corrupt: it is not valid JSON",
                "id", "import", malformed.toString());
        Path notV3 = writeJson("not-v3.json", Map.of("version", 1));
        fails(dave, "is corrupt: it is not a version 3 keystore", "id", "import", notV3.toString());
        fails(dave, "no such file", "id", "import", dir.resolve("absent.json").toString());
        assertEquals(before, snapshot(home));

        Path otherPassword = dir.resolve("other-password");
        Files.writeString(otherPassword, "another password entirely\n");
        JsonNode reencrypted = ok(dave, "id", "import", otherFile.toString(), "--file-password-file",
                otherPassword.toString(), "--json").json();
        assertEquals(idOf(pair), reencrypted.path("id").asText());
        Path storedOther = home.resolve("keystore/" + idOf(pair).substring(2) + ".json");
        assertEquals("0x" + Keys.getAddress(pair),
                WalletUtils.loadCredentials(PASSWORD, storedOther.toFile()).getAddress());

        ECKeyPair strongPair = Keys.createEcKeyPair();
        Path strong = writeJson("strong.json", Wallet.create(PASSWORD, strongPair, 1 << 14, 1));
        JsonNode asItIs = ok(dave, "id", "import", strong.toString(), "--json").json();
        assertFalse(asItIs.path("reencrypted").asBoolean());
        assertArrayEquals(Files.readAllBytes(strong),
                Files.readAllBytes(home.resolve("keystore/" + idOf(strongPair).substring(2) + ".json")));
        assertEquals(3, ok(dave, "id", "list", "--json").json().path("identities").size());
    }

    @Test
    void passwdReencryptsEveryKeyAndTheStoreKeyAndTheOldPasswordStopsWorking() throws Exception {
        Cli erin = profile("passwd-erin");
        Path home = dir.resolve("passwd-erin");
        ok(erin, "id", "new", "--fast-kdf", "--no-recovery");
        ok(erin, "id", "new", "--fast-kdf", "--no-recovery");
        assertTrue(Files.exists(home.resolve("store.key")));
        Path fresh = dir.resolve("new-password");
        Files.writeString(fresh, "a much longer new passphrase\n");

        Cli.Result noNew = erin.run("id", "passwd");
        assertEquals(1, noNew.exitCode(), noNew::toString);
        assertTrue(noNew.stderr().contains("no new password: pass --new-password-file FILE"), noNew::toString);

        Path wrong = dir.resolve("wrong-password-2");
        Files.writeString(wrong, "not it\n");
        Map<String, String> before = snapshot(home);
        fails(erin, "wrong password", "id", "passwd", "--new-password-file", fresh.toString(), "--password-file",
                wrong.toString());
        assertEquals(before, snapshot(home), "a refused passwd changes nothing");

        JsonNode changed = ok(erin, "id", "passwd", "--new-password-file", fresh.toString(), "--json").json();
        assertEquals(2, changed.path("keysReencrypted").asInt());
        assertTrue(changed.path("storeKeyRewrapped").asBoolean());
        assertFalse(Files.exists(home.resolve(".passwd-staged")));
        List<Path> keys;
        try (Stream<Path> list = Files.list(home.resolve("keystore"))) {
            keys = list.toList();
        }
        assertEquals(2, keys.size(), keys::toString);
        for (Path key : keys) {
            WalletUtils.loadCredentials("a much longer new passphrase", key.toFile());
            assertThrows(CipherException.class, () -> WalletUtils.loadCredentials(PASSWORD, key.toFile()));
        }
        fails(erin, "wrong password", "id", "export", "--out", dir.resolve("erin-old.json").toString());
        ok(erin, "id", "export", "--out", dir.resolve("erin-new.json").toString(), "--password-file", fresh.toString());
        // the store key was re-wrapped: a third identity needs the profile's password, which is now the new one
        fails(erin, "this is not the password of the profile", "id", "new", "--fast-kdf", "--no-recovery");
        ok(erin, "id", "new", "--fast-kdf", "--no-recovery", "--password-file", fresh.toString());
        fails(erin, "wrong password", "id", "passwd", "--new-password-file", wrong.toString());
    }

    @Test
    void showGivesTheKeyIndexAndKeyAddressAfterARotation() throws IOException {
        node = TestChain.start();
        Path chainDir = dir.resolve("chain-rot");
        Cli frank = new Cli(Map.of("PEERKEY_HOME", dir.resolve("rot-frank").toString(), "PEERKEY_PASSWORD_FILE",
                passwordFile.toString(), "PEERKEY_CHAIN_DIR", chainDir.toString(), "PEERKEY_RPC", node.rpcUrl()));
        ok(frank, "deploy");
        JsonNode made = ok(frank, "id", "new", "--fast-kdf", "--no-recovery", "--json").json();
        JsonNode shown = ok(frank, "id", "show", "--json").json();
        assertEquals(0, shown.path("keyIndex").asInt());
        assertEquals(made.path("address"), shown.path("keyAddress"));
        ok(frank, "register");
        JsonNode rotated = ok(frank, "rotate", "--json").json();
        JsonNode after = ok(frank, "id", "show", "--json").json();
        assertEquals(made.path("id"), after.path("id"));
        assertEquals(1, after.path("keyIndex").asInt(), after::toString);
        assertNotEquals(made.path("address").asText(), after.path("keyAddress").asText());
        assertEquals(rotated.path("publicKey"), after.path("publicKey"));
        String text = ok(frank, "id", "show").stdout();
        assertTrue(text.contains(after.path("keyAddress").asText()), text);
    }
}
