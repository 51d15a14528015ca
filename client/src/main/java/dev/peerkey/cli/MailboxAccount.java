package dev.peerkey.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.Keystore;
import dev.peerkey.identity.PeerId;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The profile's mailbox account: a secp256k1 key of its own, not any identity's, that sends and
 * pays for every mailbox post of the profile, so a post's transaction does not name its sender's
 * identity. Created on first need; its key lives in the profile's keystore, encrypted under the
 * profile password with the same scrypt strength as the identity key it is first made for, and
 * {@value #FILE} in the profile names it (the address is readable without the password).
 */
final class MailboxAccount {
    static final String FILE = "mailbox-account.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** web3j's standard scrypt cost; lighter keystores were made with --fast-kdf. */
    private static final int STANDARD_SCRYPT_N = 1 << 18;

    private MailboxAccount() {
    }

    /** The account's address, if the profile has one yet. */
    static Optional<String> address(Path home) {
        return pointer(home).map(p -> p.path("address").asText());
    }

    /** The ID of the account's key (the hash of its public key), if the profile has one yet. */
    static Optional<PeerId> keyId(Path home) {
        return pointer(home).map(p -> PeerId.parse(p.path("key").asText()));
    }

    /**
     * Decrypts the profile's mailbox account, making it first if there is none.
     *
     * @param likeKeyFile an identity's keystore file: a new key is encrypted as strongly as it is
     */
    static IdentityKey loadOrCreate(Path home, Path likeKeyFile, char[] password, Consumer<String> progress) {
        Optional<JsonNode> existing = pointer(home);
        if (existing.isPresent()) {
            return load(home, existing.get(), password);
        }
        boolean light = scryptN(likeKeyFile) < STANDARD_SCRYPT_N;
        Keystore keystore = light ? Keystore.withLightScrypt(keystoreDir(home)) : new Keystore(keystoreDir(home));
        IdentityKey key = IdentityKey.generate();
        progress.accept("creating this profile's mailbox account (it sends and pays for mailbox posts)…");
        keystore.save(key, password);
        Path target = home.resolve(FILE);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(home, FILE, ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(),
                    Map.of("address", key.address(), "key", key.id().hex()));
            Files.createLink(target, tmp); // atomic, and fails if another process made one first
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(keystore.fileOf(key.id())); // that one is the profile's; ours was never used
            return load(home, pointer(home).orElseThrow(), password);
        } catch (IOException e) {
            throw new PeerkeyException("cannot write " + target + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
        return key;
    }

    /**
     * The profile's mailbox account for a command acting as {@code id} (made on first need, with
     * the strength of {@code id}'s key), funded first on a local development chain.
     */
    static IdentityKey forCommand(Context ctx, PeerId id) {
        IdentityKey key = ctx.mailboxKey(id);
        ctx.fundIfDevChain(key.address());
        return key;
    }

    /** {@link #loadOrCreate(Path, Path, char[], Consumer)} with the strength of identity {@code like}'s current key. */
    static IdentityKey loadOrCreate(Profile profile, PeerId like, char[] password, Consumer<String> progress) {
        Path likeKeyFile = new Keystore(keystoreDir(profile.home())).fileOf(profile.currentPublicKey(like).id());
        return loadOrCreate(profile.home(), likeKeyFile, password, progress);
    }

    private static IdentityKey load(Path home, JsonNode pointer, char[] password) {
        IdentityKey key = new Keystore(keystoreDir(home)).load(PeerId.parse(pointer.path("key").asText()), password);
        if (!key.address().equalsIgnoreCase(pointer.path("address").asText())) {
            throw new PeerkeyException(home.resolve(FILE) + " names account " + pointer.path("address").asText()
                    + " but its key is for " + key.address());
        }
        return key;
    }

    private static Optional<JsonNode> pointer(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!node.path("address").isTextual() || !node.path("key").isTextual()) {
                throw new PeerkeyException(file + " is corrupt: it must name an address and a key");
            }
            return Optional.of(node);
        } catch (IOException e) {
            throw new PeerkeyException(file + " is unreadable: " + e.getMessage());
        }
    }

    /** The scrypt cost of a keystore file; the standard one if it cannot be read. */
    private static long scryptN(Path keyFile) {
        try {
            JsonNode root = JSON.readTree(keyFile.toFile());
            JsonNode crypto = root.has("crypto") ? root.path("crypto") : root.path("Crypto");
            return crypto.path("kdfparams").path("n").asLong(STANDARD_SCRYPT_N);
        } catch (IOException e) {
            return STANDARD_SCRYPT_N;
        }
    }

    private static Path keystoreDir(Path home) {
        return home.resolve("keystore");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: the file holds only ciphertext or an address
        }
    }
}
