package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey id new|show|list`: the identities kept in this profile. */
@Command(name = "id", mixinStandardHelpOptions = true, description = "Create and show this profile's identities.",
        subcommands = {IdCommand.New.class, IdCommand.Show.class, IdCommand.ListIds.class})
final class IdCommand {

    static Map<String, Object> describe(PeerId id, PublicKey currentKey) {
        var fields = Output.fields();
        fields.put("id", id.hex());
        fields.put("name", id.displayName().value());
        fields.put("address", id.address());
        fields.put("publicKey", currentKey.hex());
        return fields;
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Create a new secp256k1 identity and store its key in the profile's keystore.")
    static final class New implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--fast-kdf", description = "Encrypt the key with light scrypt parameters"
                + " (fast, weaker: for tests and demos only).")
        boolean fastKdf;

        @Override
        public void run() {
            Output out = new Output(options.json);
            Profile profile = new Profile(options.home, fastKdf);
            char[] password = new Context(options).password(true);
            IdentityKey key = IdentityKey.generate();
            out.progress("encrypting the new key (scrypt)…");
            profile.addIdentity(key, password);
            var fields = describe(key.id(), key.publicKey());
            fields.put("home", options.home.toString());
            out.result(fields);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one identity (default: the profile's default).")
    static final class Show implements Runnable {
        @Mixin
        GlobalOptions options;

        @Parameters(arity = "0..1", paramLabel = "ID", description = "ID, display name or address of one of this profile's identities.")
        String selector;

        @Override
        public void run() {
            Profile profile = new Profile(options.home, false);
            PeerId id = profile.identity(selector);
            new Output(options.json).result(describe(id, profile.currentPublicKey(id)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List this profile's identities.")
    static final class ListIds implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            Output out = new Output(options.json);
            Profile profile = new Profile(options.home, false);
            List<Map<String, Object>> identities = profile.identities().stream()
                    .map(id -> describe(id, profile.currentPublicKey(id))).toList();
            if (out.json()) {
                out.result(Map.of("identities", identities));
                return;
            }
            if (identities.isEmpty()) {
                out.progress("no identities in " + options.home + ": create one with `peerkey id new`");
            }
            identities.forEach(fields -> out.text(fields.get("name") + "  " + fields.get("id")));
        }
    }
}
