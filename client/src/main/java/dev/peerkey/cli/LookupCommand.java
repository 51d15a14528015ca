package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.DisplayName;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.registry.KeyRecord;
import dev.peerkey.registry.Registry;
import dev.peerkey.store.Store;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey lookup`: what the registry says about an identity, verified. */
@Command(name = "lookup", mixinStandardHelpOptions = true,
        description = {"Look up an identity by ID, display name or address.",
            "The answer is checked: the key must be a valid secp256k1 point and the identity's first key"
                    + " must hash to its ID, so a lying node is reported as an error."})
final class LookupCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Parameters(paramLabel = "PEER", description = "A contact's name, an ID (0x + 64 hex), display name (16 base32"
            + " characters) or address (0x + 40 hex).")
    String peer;

    @Option(names = "--history", description = "Also list every key the identity has had.")
    boolean history;

    @Option(names = "--at", paramLabel = "TIME", description = "Show the key that was valid at TIME"
            + " instead of the current one: a date (2026-11-23), a UTC time (2026-11-23T12:00) or a time with"
            + " its offset (2026-11-23T12:00:00+01:00 or ...Z).")
    String at;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            Registry registry = ctx.registry();
            PeerId id = Contacts.looksLikeIdentity(peer) || !Files.exists(options.home.resolve(Store.FILE_NAME))
                    ? resolve(registry, peer, ctx.registryBlock())
                    : contactOrPeer(ctx);
            IdentityRecord record = registry.require(id);
            var fields = Output.fields();
            fields.put("id", id.hex());
            fields.put("name", id.displayName().value());
            fields.put("address", id.address());
            fields.put("publicKey", record.publicKey().hex());
            fields.put("keyAddress", record.publicKey().address());
            fields.put("status", record.status().label());
            fields.put("keyIndex", record.keyIndex());
            fields.put("registeredAt", record.registeredAt().toString());
            fields.put("validUntil", record.validUntil().toString());
            fields.put("revoked", record.revoked());
            fields.put("revokedAt", record.revokedAt() == null ? null : record.revokedAt().toString());
            if (at != null) {
                KeyRecord key = registry.keyAt(id, TimeArgument.parse("--at", at));
                fields.put("keyAt", Map.of("time", at, "keyIndex", key.index(), "publicKey", key.publicKey().hex()));
            }
            if (history) {
                List<Map<String, Object>> keys = registry.keyHistory(id).stream().map(LookupCommand::describe).toList();
                fields.put("keys", keys);
            }
            ctx.out.result(fields);
        }
    }

    /** A contact's name needs the profile's store (and so its password); anything else does not. */
    private PeerId contactOrPeer(Context ctx) {
        try (Store store = ctx.openStore()) {
            return Contacts.of(store).resolve(ctx, peer);
        }
    }

    private static Map<String, Object> describe(KeyRecord key) {
        var fields = Output.fields();
        fields.put("index", key.index());
        fields.put("publicKey", key.publicKey().hex());
        fields.put("registeredAt", key.registeredAt().toString());
        fields.put("validUntil", key.validUntil().toString());
        fields.put("retiredAt", key.retiredAt() == null ? null : key.retiredAt().toString());
        return fields;
    }

    /** Turns what the user typed into an ID: the ID itself, or a search by name or address. */
    static PeerId resolve(Registry registry, String peer, long fromBlock) {
        String text = peer.trim();
        if (text.matches("(0x)?[0-9a-fA-F]{64}")) {
            return PeerId.parse(text);
        }
        boolean address = text.matches("0x[0-9a-fA-F]{40}");
        if (!address && !DisplayName.looksLike(text)) {
            throw new UsageException("'" + peer + "' is not an ID (0x + 64 hex), display name (16 base32"
                    + " characters) or address (0x + 40 hex)");
        }
        return registry.resolve(text, fromBlock).orElseThrow(() -> new PeerkeyException(
                "no registered identity has the " + (address ? "address " : "display name ") + text));
    }
}
