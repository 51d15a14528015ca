package dev.peerkey.it;

import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.registry.Registry;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import dev.peerkey.transport.MessengerContract;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * In-process chat clients on one test node: a registry and a messenger deployed there, and
 * parties each with a registered identity, a funded mailbox account and a store of its own.
 */
public final class ChatParties implements AutoCloseable {
    /** One chat client, its store and the account that pays its posts. */
    public record Party(ChatClient chat, Store store, IdentityKey mailbox) { }

    private final TestChain node;
    private final Path dir;
    private final Registry registry;
    private final MessengerContract messenger;
    private final List<Party> parties = new ArrayList<>();

    public ChatParties(TestChain node, Path dir) {
        this.node = node;
        this.dir = dir;
        this.registry = Registry.deploy(node.chain(), node.fundedKey().credentials(), m -> { }).registry();
        this.messenger = MessengerContract.deploy(node.chain(), node.fundedKey().credentials(), registry.address(),
                m -> { }).messenger();
    }

    /** A new party named {@code name} (its store's file name) whose store and client read {@code clock}. */
    public Party party(String name, Clock clock) {
        IdentityKey key = node.fundedKey();
        registry.register(key, Instant.now().plus(Duration.ofDays(30)));
        IdentityKey mailbox = node.fundedKey();
        Store store = Store.open(dir.resolve(name + ".db"), StoreKey.random(), clock, Store.Sync.NORMAL);
        ChatClient chat = new ChatClient(store, LocalIdentity.of(key), mailbox::credentials, registry, messenger,
                clock, new ChatClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, () -> null),
                notice -> { });
        Party party = new Party(chat, store, mailbox);
        parties.add(party);
        return party;
    }

    @Override
    public void close() {
        parties.forEach(party -> party.chat().close());
        parties.forEach(party -> party.store().close());
    }
}
