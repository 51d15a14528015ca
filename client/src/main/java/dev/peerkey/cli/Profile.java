package dev.peerkey.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.Keystore;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.store.StoreKey;
import dev.peerkey.store.StoreKeyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One user's profile directory: a V3 keystore holding every key the user has had,
 * {@code profile.json}, which maps each identity to its current key (they differ after
 * a rotation) and names the default identity and, optionally, the chain to use, and
 * {@code store.key}, the database's key wrapped under the same password. A profile has one
 * password: every identity's keystore file and the store key are encrypted under it.
 */
final class Profile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = "profile.json";

    /**
     * The contents of profile.json: identities map each ID to its current public key (hex);
     * recovery maps an ID to the address of its recovery key (public; the key itself is never stored here);
     * deployments maps a chain (chain id and genesis hash, see {@link dev.peerkey.chain.Chain#chainKey()}) to
     * the registry and messenger deployed on it, whatever URL reached it. The top-level registry fields are
     * the last deployment's, as earlier clients wrote them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Config(String defaultIdentity, Map<String, String> identities, String rpc, String registry,
                  Long registryBlock, String messenger, Long messengerBlock, Map<String, String> recovery,
                  Map<String, Deployment> deployments) {
        Config {
            identities = identities == null ? Map.of() : Map.copyOf(identities);
            recovery = recovery == null ? Map.of() : Map.copyOf(recovery);
            deployments = deployments == null ? Map.of() : Map.copyOf(deployments);
        }

        static Config empty() {
            return new Config(null, Map.of(), null, null, null, null, null, Map.of(), Map.of());
        }

        Config withIdentity(PeerId id, PublicKey currentKey) {
            Map<String, String> next = new TreeMap<>(identities);
            next.put(id.hex(), currentKey.hex());
            return new Config(defaultIdentity == null ? id.hex() : defaultIdentity, next, rpc, registry,
                    registryBlock, messenger, messengerBlock, recovery, deployments);
        }

        /** The identity commands act for when no --id is given. */
        Config withDefault(PeerId id) {
            return new Config(id.hex(), identities, rpc, registry, registryBlock, messenger, messengerBlock, recovery,
                    deployments);
        }

        Config withRecovery(PeerId id, String recoveryAddress) {
            Map<String, String> next = new TreeMap<>(recovery);
            next.put(id.hex(), recoveryAddress);
            return new Config(defaultIdentity, identities, rpc, registry, registryBlock, messenger, messengerBlock,
                    next, deployments);
        }

        /** Records a deployment; the two go together since a messenger is bound to one registry. */
        Config withRegistry(String rpcUrl, String chainKey, String registryAddress, long registryDeployBlock,
                String messengerAddress, long messengerDeployBlock) {
            Map<String, Deployment> next = new TreeMap<>(deployments);
            next.put(chainKey, new Deployment(rpcUrl, registryAddress, registryDeployBlock, messengerAddress,
                    messengerDeployBlock));
            return new Config(defaultIdentity, identities, rpcUrl, registryAddress, registryDeployBlock,
                    messengerAddress, messengerDeployBlock, recovery, next);
        }

        /** The deployment recorded for the chain with {@code chainKey}; else one recorded (by an earlier client) for this URL's spelling. */
        Optional<Deployment> deploymentFor(String chainKey, String rpcUrl) {
            Deployment byChain = deployments.get(chainKey);
            if (byChain != null) {
                return Optional.of(byChain);
            }
            if (registry != null && deployments.isEmpty() && dev.peerkey.chain.Chain.sameUrl(rpcUrl, rpc)) {
                return Optional.of(new Deployment(rpc, registry, registryBlock, messenger, messengerBlock));
            }
            return Optional.empty();
        }
    }

    /** A registry and the messenger bound to it, on one chain; {@code rpc} is the URL it was deployed through. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Deployment(String rpc, String registry, Long registryBlock, String messenger, Long messengerBlock) {

    }

    private final Path home;
    private final Keystore keystore;
    private final boolean lightScrypt;

    Profile(Path home, boolean lightScrypt) {
        checkHome(home); // before anything is read or written: every command that opens the profile
        this.home = home;
        this.lightScrypt = lightScrypt;
        Path dir = home.resolve("keystore");
        this.keystore = lightScrypt ? Keystore.withLightScrypt(dir) : new Keystore(dir);
        PasswordChange.finish(home); // a crash may have interrupted `id passwd`
    }

    /**
     * Refuses a profile home that someone else could write to (group- or world-writable) or that
     * belongs to another user: they could replace profile.json (the registry in use), the keystore
     * or store.key under us. A home that does not exist yet is made 0700 by the first write
     * ({@link #makeHome}). See {@link dev.peerkey.PrivateDirectory#check}.
     *
     * @throws PeerkeyException naming the directory, its owner and mode, and the fix
     */
    static void checkHome(Path home) {
        dev.peerkey.PrivateDirectory.check(home, "profile home", "--home DIR");
    }

    /**
     * Makes the profile home (and any missing parent) 0700 if it does not exist yet, before the first
     * file is written into it. The home itself is made by one mkdir that fails if something is there:
     * a home that appeared since {@link #checkHome} (another user may make it in /tmp while the
     * password is typed) is checked again, so nothing is written into a directory someone else owns
     * or can write.
     */
    private void makeHome() {
        try {
            Path parent = home.toAbsolutePath().getParent();
            if (parent != null) {
                dev.peerkey.PrivateDirectory.create(parent);
            }
            dev.peerkey.PrivateDirectory.createNew(home);
        } catch (java.nio.file.FileAlreadyExistsException there) {
            checkHome(home); // whoever made it, the directory now there is the one written into
            if (!Files.isDirectory(home)) {
                throw new PeerkeyException("cannot make the profile home " + home + ": a file is in the way");
            }
        } catch (IOException e) {
            throw new PeerkeyException("cannot make the profile home " + home + ": " + e.getMessage());
        }
    }

    Keystore keystore() {
        return keystore;
    }

    Path home() {
        return home;
    }

    Config config() {
        return configAt(home).orElse(Config.empty());
    }

    /** The profile.json of the profile at {@code home}, if it has one (read only: nothing is finished or made). */
    static Optional<Config> configAt(Path home) {
        Path file = home.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), Config.class));
        } catch (IOException e) {
            throw new PeerkeyException("profile file " + file + " is unreadable: " + e.getMessage());
        }
    }

    void save(Config config) {
        makeHome();
        try {
            Path tmp = Files.createTempFile(home, CONFIG, ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), config);
            Files.move(tmp, home.resolve(CONFIG), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PeerkeyException("cannot write " + home.resolve(CONFIG) + ": " + e.getMessage());
        }
    }

    /**
     * Stores a brand-new identity's key; its ID is the key's own hash. The password must be the
     * profile's (the one of its store key); the first identity's makes the store key.
     */
    void addIdentity(IdentityKey key, char[] password) {
        addIdentity(key, password, null);
    }

    /**
     * Stores a brand-new identity's key and, unless null, the address of its recovery key
     * (which `register` commits to on chain).
     */
    void addIdentity(IdentityKey key, char[] password, String recoveryAddress) {
        checkProfilePassword(password);
        keystore.save(key, password);
        Config next = config().withIdentity(key.id(), key.publicKey());
        save(recoveryAddress == null ? next : next.withRecovery(key.id(), recoveryAddress));
    }

    /**
     * Adds an imported key as a new identity: {@code file} (a V3 keystore that opens with the
     * profile's password) stored as it is, or, if null, the key encrypted anew under the password.
     */
    void importIdentity(IdentityKey key, char[] password, byte[] file) {
        checkProfilePassword(password);
        if (file != null) {
            keystore.saveRaw(key.id(), file);
        } else {
            keystore.save(key, password);
        }
        save(config().withIdentity(key.id(), key.publicKey()));
    }

    /** Checks {@code password} is the profile's (the first identity's makes the store key). */
    private void checkProfilePassword(char[] password) {
        makeHome(); // 0700, before the store key or the keystore makes it with the umask's mode
        try {
            if (config().defaultIdentity() == null && !Files.exists(storeKeyFile())) {
                createStoreKey(password);
            } else {
                unlockStore(password);
            }
        } catch (KeystoreException e) {
            if (e.reason() != KeystoreException.Reason.WRONG_PASSWORD) {
                throw e;
            }
            throw new PeerkeyException("this is not the password of the profile " + home
                    + ": every identity of a profile is encrypted under the profile's one password");
        }
    }

    /** The address of the identity's recovery key, if it was made with one. */
    Optional<String> recoveryAddress(PeerId id) {
        return Optional.ofNullable(config().recovery().get(id.hex()));
    }

    /** Stores a key before it is used, so a crash between the chain and the disk loses nothing. */
    void storeKey(IdentityKey key, char[] password) {
        makeHome();
        keystore.save(key, password);
    }

    /** Makes {@code newKey} (already stored) the identity's current key, after a rotation. */
    void switchKey(PeerId id, PublicKey newKey) {
        save(config().withIdentity(id, newKey));
    }

    /** Whether the keystore holds the private half of {@code key}. */
    boolean holdsKey(PublicKey key) {
        return keystore.contains(key.id());
    }

    /** Whether the keystore holds the key whose 64-byte public key hashes (keccak256) to {@code keyHash}. */
    boolean holdsKey(byte[] keyHash) {
        return keystore.contains(PeerId.of(keyHash));
    }

    /**
     * The stored key whose public key hashes to {@code keyHash} (keccak256 of the 64-byte key, as
     * the registry names pending recovery keys), decrypted; empty if the keystore has none.
     */
    Optional<IdentityKey> storedKey(byte[] keyHash, char[] password) {
        PeerId file = PeerId.of(keyHash);
        return keystore.contains(file) ? Optional.of(keystore.load(file, password)) : Optional.empty();
    }

    List<PeerId> identities() {
        return config().identities().keySet().stream().map(PeerId::parse).sorted().toList();
    }

    /**
     * The identity a command acts for: {@code selector} (an ID or display name of one of
     * this profile's identities) or else the profile's default.
     */
    PeerId identity(String selector) {
        Config config = config();
        if (selector == null) {
            if (config.defaultIdentity() == null) {
                throw new PeerkeyException("profile " + home + " has no identity yet: create one with `peerkey id new`");
            }
            return PeerId.parse(config.defaultIdentity());
        }
        String wanted = selector.toLowerCase();
        return identities().stream()
                .filter(id -> id.hex().equals(wanted) || id.displayName().value().equals(wanted)
                        || id.address().toLowerCase().equals(wanted))
                .findFirst()
                .orElseThrow(() -> new PeerkeyException("profile " + home + " has no identity " + selector));
    }

    /** The current public key of one of this profile's identities. */
    PublicKey currentPublicKey(PeerId id) {
        String key = config().identities().get(id.hex());
        if (key == null) {
            throw new PeerkeyException("profile " + home + " has no identity " + id);
        }
        return PublicKey.fromHex(key);
    }

    /** Decrypts the current key of {@code id}. */
    IdentityKey currentKey(PeerId id, char[] password) {
        return keystore.load(currentPublicKey(id).id(), password);
    }

    /**
     * The key of the profile's database, unwrapped with {@code password}. A profile from before
     * the store was sealed gets one now, wrapped under this password once it has unlocked the
     * default identity's key, so that a mistyped password never becomes the store's. (A new
     * profile gets its key with its first identity.)
     *
     * @throws KeystoreException WRONG_PASSWORD, CORRUPT or IO, as for an identity's keystore
     */
    StoreKey unlockStore(char[] password) {
        Path file = storeKeyFile();
        if (Files.exists(file)) {
            StoreKey key = StoreKeyFile.unlock(file, password);
            try {
                StoreKeyFile.addCheck(file, key); // a file from before key-check values: see checkAgentStoreKey
            } catch (KeystoreException e) {
                // a read-only profile: the agent's key then goes unchecked against the file, as before
            }
            return key;
        }
        currentKey(identity(null), password); // or: this profile has no identity yet
        return createStoreKey(password);
    }

    /**
     * Checks that {@code key}, handed over by the unlock agent without the password, is the one
     * store.key wraps, by the file's key-check value (see {@link StoreKeyFile}): a planted or
     * confused agent must not get anything sealed under its key. A file without a check value
     * (written before there was one, and not unwrapped since) cannot tell: the key is taken, as
     * before; the database's own check value still refuses a foreign key for an existing store.
     *
     * @throws PeerkeyException if the key is not this profile's, or there is no store.key
     */
    void checkAgentStoreKey(StoreKey key) {
        Path file = storeKeyFile();
        java.util.Optional<byte[]> check;
        try {
            check = StoreKeyFile.check(file);
        } catch (KeystoreException e) {
            throw new PeerkeyException("the unlock agent holds a store key but " + file + " cannot be read ("
                    + e.getMessage() + "); run `peerkey lock` and unlock again");
        }
        if (check.isPresent() && !java.security.MessageDigest.isEqual(check.get(), StoreKeyFile.checkValue(key))) {
            throw new PeerkeyException("the unlock agent's store key does not match this profile's store.key ("
                    + file + "): nothing was written; run `peerkey lock` and unlock again");
        }
    }

    private Path storeKeyFile() {
        return home.resolve(StoreKeyFile.FILE_NAME);
    }

    private StoreKey createStoreKey(char[] password) {
        makeHome();
        Path file = storeKeyFile();
        try {
            return StoreKeyFile.create(file, password, lightScrypt ? StoreKeyFile.Kdf.LIGHT : StoreKeyFile.Kdf.STANDARD);
        } catch (KeystoreException e) {
            if (Files.exists(file)) { // another process of this profile made it first
                return StoreKeyFile.unlock(file, password);
            }
            throw e;
        }
    }

}
