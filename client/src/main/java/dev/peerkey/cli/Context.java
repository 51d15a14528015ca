package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.agent.Agent;
import dev.peerkey.chain.Chain;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.Passwords;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.Registry;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.transport.MessengerContract;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What a command works with, resolved from the global options: the profile, the chain
 * (flag, env, profile, else the local chain), the registry and the messenger. Connections
 * open lazily.
 */
final class Context implements AutoCloseable {
    /** What a fresh identity on a local chain receives to pay for its own transactions. */
    private static final BigInteger DEV_FUNDING = BigInteger.TEN.pow(18);
    /** Below this balance a local identity is topped up before it sends a transaction. */
    private static final BigInteger MIN_BALANCE = BigInteger.TEN.pow(16);

    final GlobalOptions options;
    final Output out;
    private Chain chain;
    private Registry registry;
    private MessengerContract messenger;
    /** Asked for once per command: the identity's keystore and the store key share it. */
    private char[] password;
    private StoreKey storeKey;
    private Optional<Profile.Deployment> recorded;

    Context(GlobalOptions options) {
        this.options = options;
        this.out = new Output(options.json);
    }

    Profile profile() {
        return new Profile(options.home, false);
    }

    Optional<LocalChainState> localChain() {
        return LocalChainState.read(options.chainDir);
    }

    String rpcUrl() {
        if (options.rpc != null) {
            return options.rpc;
        }
        Profile.Config config = profile().config();
        if (config.rpc() != null) {
            return config.rpc();
        }
        return localChain().map(LocalChainState::rpc).orElseThrow(() -> new PeerkeyException(
                "no chain: start a local one with `peerkey chain start`, or pass --rpc URL"));
    }

    Chain chain() {
        if (chain == null) {
            chain = Chain.connect(rpcUrl());
        }
        return chain;
    }

    Registry registry() {
        if (registry == null) {
            registry = Registry.at(chain(), registryAddress(), out::progress);
        }
        return registry;
    }

    private String registryAddress() {
        return configuredRegistry().orElseThrow(() -> new PeerkeyException(
                "no registry: deploy one with `peerkey deploy`, or pass --registry ADDRESS"));
    }

    private Optional<String> configuredRegistry() {
        if (options.registry != null) {
            return Optional.of(options.registry);
        }
        return recorded().map(Profile.Deployment::registry);
    }

    /**
     * The messenger (flag, env, profile, else the local chain). If a registry is configured too,
     * the messenger must be bound to it: keys would otherwise be checked against another registry.
     */
    MessengerContract messenger() {
        if (messenger == null) {
            MessengerContract found = MessengerContract.at(chain(), messengerAddress(), out::progress);
            Optional<String> registryInUse = configuredRegistry();
            String boundTo = found.registryAddress();
            if (registryInUse.isPresent() && !registryInUse.get().equalsIgnoreCase(boundTo)) {
                throw new PeerkeyException("the messenger at " + found.address() + " is bound to the registry "
                        + boundTo + ", not to " + registryInUse.get() + ": pass a matching --messenger or --registry");
            }
            messenger = found;
        }
        return messenger;
    }

    private String messengerAddress() {
        if (options.messenger != null) {
            return options.messenger;
        }
        return recorded().map(Profile.Deployment::messenger)
                .orElseThrow(() -> new PeerkeyException(
                        "no messenger: deploy one with `peerkey deploy`, or pass --messenger ADDRESS"));
    }

    /**
     * The deployment recorded for the chain in use, found by chain id and genesis hash whatever URL
     * spelling reaches it: the profile's record for this chain, else the local chain's if the
     * local node is this chain. Empty if none.
     */
    private Optional<Profile.Deployment> recorded() {
        if (recorded == null) {
            String rpc = rpcUrl();
            recorded = profile().config().deploymentFor(chain().chainKey(), rpc)
                    .or(() -> localChain().filter(this::isThisChain).filter(state -> state.registry() != null)
                            .map(state -> new Profile.Deployment(state.rpc(), state.registry(), state.registryBlock(),
                                    state.messenger(), state.messengerBlock())));
        }
        return recorded;
    }

    /** Whether the local chain `chain start` recorded is the chain in use (any spelling of its URL). */
    boolean isThisChain(LocalChainState state) {
        if (Chain.sameUrl(state.rpc(), rpcUrl())) {
            return true;
        }
        try (Chain local = Chain.connect(state.rpc())) {
            return local.chainKey().equals(chain().chainKey());
        } catch (PeerkeyException notRunning) {
            return false;
        }
    }

    /**
     * The first block to scan for registry events: the recorded deployment block, else 0 (the
     * registry itself then tells where it was deployed, see {@link Registry#deployedAt()}).
     */
    long registryBlock() {
        if (options.registry != null) {
            return 0;
        }
        return recorded().map(Profile.Deployment::registryBlock).orElse(0L);
    }

    /**
     * The first block to scan for messenger events: the recorded deployment block, else the
     * registry's deployment block (a messenger is deployed after the registry it is bound to).
     */
    long messengerBlock() {
        Long recordedBlock = options.messenger != null ? null
                : recorded().map(Profile.Deployment::messengerBlock).orElse(null);
        if (recordedBlock != null) {
            return recordedBlock;
        }
        if (configuredRegistry().isPresent()) {
            return registry().deployedAt();
        }
        return options.messenger == null ? 0
                : Registry.at(chain(), messenger().registryAddress(), out::progress).deployedAt();
    }

    char[] password(boolean confirm) {
        if (InAgent.active()) {
            throw new InAgent.RunHere("a password"); // the agent lacks a key: the client asks, as without an agent
        }
        String env = System.getenv("PEERKEY_PASSWORD");
        if (confirm) {
            return Passwords.resolve(options.passwordStdin, options.passwordFile, env, true);
        }
        if (password == null) {
            password = Passwords.given(options.passwordStdin, options.passwordFile, env)
                    ? Passwords.resolve(options.passwordStdin, options.passwordFile, env, false)
                    : promptWithRetries();
        }
        return password;
    }

    /** Wrong passwords a prompt accepts before the command fails. */
    static final int PROMPT_TRIES = 3;

    /**
     * Asks for the profile's password, naming the identity, until it unwraps the store key (which
     * every password of the profile does), at most {@value #PROMPT_TRIES} times. Nothing is written
     * before the password is right.
     */
    private char[] promptWithRetries() {
        Profile profile = profile();
        String promptText = promptText(profile);
        for (int attempt = 1; ; attempt++) {
            char[] candidate = Passwords.prompt(promptText, false);
            try {
                storeKey = profile.unlockStore(candidate);
                return candidate;
            } catch (KeystoreException e) {
                java.util.Arrays.fill(candidate, '\0');
                if (e.reason() != KeystoreException.Reason.WRONG_PASSWORD) {
                    throw e;
                }
                if (attempt == PROMPT_TRIES) {
                    throw new PeerkeyException("wrong password (" + PROMPT_TRIES + " tries); nothing was changed");
                }
                out.progress("wrong password; try again (" + (PROMPT_TRIES - attempt) + " left)");
            }
        }
    }

    /** "Password for identity NAME (0x1234abcd…) in ~/.peerkey: ", naming the default identity. */
    private String promptText(Profile profile) {
        String who;
        try {
            PeerId id = profile.identity(null);
            who = "identity " + id.displayName().value() + " (" + id.hex().substring(0, 10) + "…)";
        } catch (PeerkeyException noIdentity) {
            who = "profile";
        }
        return "Password for " + who + " in " + options.home + ": ";
    }

    /** The profile's unlock agent (see `peerkey unlock`); asked before any password. */
    Agent agent() {
        return Agent.of(options.home);
    }

    /** Decrypts the current key of the selected identity (from the unlock agent, else asking for the password). */
    IdentityKey currentKey(PeerId id) {
        PeerId keyId = profile().currentPublicKey(id).id();
        return fromAgent(keyId).orElseGet(() -> profile().currentKey(id, password(false)));
    }

    /** The key with ID {@code keyId} if the profile's unlock agent holds it. */
    Optional<IdentityKey> fromAgent(PeerId keyId) {
        return agent().key(keyId.hex()).map(secret -> {
            try {
                IdentityKey key = IdentityKey.fromPrivateKey(new BigInteger(1, secret));
                if (!key.publicKey().id().equals(keyId)) {
                    throw new PeerkeyException("the unlock agent answered with another key than " + keyId.hex());
                }
                return key;
            } finally {
                java.util.Arrays.fill(secret, (byte) 0);
            }
        });
    }

    /** The profile's mailbox account key, from the unlock agent, else decrypted (or made) with the password. */
    IdentityKey mailboxKey(PeerId like) {
        Optional<IdentityKey> held = MailboxAccount.keyId(options.home).flatMap(this::fromAgent);
        return held.orElseGet(() -> MailboxAccount.loadOrCreate(profile(), like, password(false), out::progress));
    }

    /** The key of the profile's database: from the unlock agent, else unwrapped with the profile's password. */
    StoreKey storeKey() {
        if (storeKey == null) {
            StoreKey held = agent().storeKey().map(secret -> {
                try {
                    return StoreKey.of(secret);
                } finally {
                    java.util.Arrays.fill(secret, (byte) 0);
                }
            }).orElse(null);
            if (held != null) {
                profile().checkAgentStoreKey(held); // against store.key's check value, before anything is sealed
            }
            storeKey = held;
        }
        if (storeKey == null) {
            storeKey = profile().unlockStore(password(false));
        }
        return storeKey;
    }

    /** Opens the profile's database: it needs the password, since everything secret in it is sealed. */
    Store openStore() {
        return Store.open(options.home.resolve(Store.FILE_NAME), storeKey());
    }

    /** Reconciles the profile's keys with the chain's (see {@link KeySync}). */
    KeySync keySync() {
        return new KeySync(profile(), registry(), out::progress);
    }

    /**
     * The key to act with for {@code id}: first the profile is brought in step with the chain's
     * current key ({@link KeySync#reconcile}), then that key is decrypted.
     */
    IdentityKey actingKey(PeerId id) {
        keySync().reconcile(id);
        return currentKey(id);
    }

    /** On a local development chain, tops up {@code address} so it can pay its own gas. */
    void fundIfDevChain(String address) {
        Chain c = chain();
        if (c.balance(address).compareTo(MIN_BALANCE) < 0 && c.isDevChain()) {
            out.progress("funding " + address + " from the node's development account…");
            c.fundFromDevAccount(address, DEV_FUNDING);
        }
    }

    @Override
    public void close() {
        if (chain != null) {
            chain.close();
        }
    }
}
