package dev.peerkey.cli;

import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import dev.peerkey.identity.RecoveryKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `peerkey id new|show|list`: the identities kept in this profile. */
@Command(name = "id", mixinStandardHelpOptions = true, description = "Create and show this profile's identities.",
        subcommands = {IdCommand.New.class, IdCommand.Show.class, IdCommand.ListIds.class, IdCommand.Use.class,
            IdKeyCommands.Export.class,
            IdKeyCommands.Import.class,
            IdKeyCommands.Passwd.class})
final class IdCommand {

    /** Below this length `id new` warns: the keystore's scrypt slows a guesser, it cannot save a short password. */
    static final int MIN_PASSWORD = 12;

    static Map<String, Object> describe(PeerId id, PublicKey currentKey) {
        var fields = Output.fields();
        fields.put("id", id.hex());
        fields.put("name", id.displayName().value());
        fields.put("address", id.address());
        fields.put("publicKey", currentKey.hex());
        return fields;
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = {"Create a new secp256k1 identity and store its key in the profile's keystore.",
                "It also makes a recovery key (unless --no-recovery), which `register` commits to on chain:"
                        + " with it, `peerkey recover revoke` ends the identity at once and `peerkey recover rotate`"
                        + " moves it to a new key after a delay, even after a thief has rotated it. Its 24 words are"
                        + " shown once on the terminal, or written to --recovery-file; the profile keeps only its"
                        + " address."})
    static final class New implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--fast-kdf", description = "Encrypt the key with light scrypt parameters"
                + " (fast, weaker: for tests and demos only).")
        boolean fastKdf;

        @ArgGroup(exclusive = true)
        RecoveryChoice choice;

        static final class RecoveryChoice {
            @Option(names = "--recovery-file", paramLabel = "FILE", description = "Write the recovery key's words"
                    + " to FILE (mode 0600; it must not exist) instead of showing them. Keep it offline.")
            Path file;

            @Option(names = "--no-recovery", description = "Make no recovery key: a thief of the key can then"
                    + " keep the identity.")
            boolean none;
        }

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            RecoveryChoice recovery = choice != null ? choice : new RecoveryChoice();
            boolean show = !recovery.none && recovery.file == null;
            if (show && !Terminal.interactive()) {
                throw new ParameterException(spec.commandLine(), "no terminal to show the recovery words on:"
                        + " pass --recovery-file FILE to write them to a file, or --no-recovery");
            }
            Output out = new Output(options.json);
            Profile profile = new Profile(options.home, fastKdf);
            char[] password = new Context(options).password(true);
            if (password.length < MIN_PASSWORD) {
                out.progress("warning: a password of " + password.length + " characters is quickly guessed by anyone"
                        + " who copies the keystore; " + MIN_PASSWORD + " or more (several words) are advised");
            }
            IdentityKey key = IdentityKey.generate();
            RecoveryKey recoveryKey = recovery.none ? null : RecoveryKey.generate();
            if (recovery.file != null) {
                recoveryKey.writeFile(recovery.file); // first: an existing file leaves nothing half made
            }
            out.progress("encrypting the new key (scrypt)…");
            int before = profile.identities().size();
            profile.addIdentity(key, password, recoveryKey == null ? null : recoveryKey.address());
            if (before > 0) {
                out.progress("added identity #" + (before + 1) + " to " + options.home + "; the default is still "
                        + profile.identity(null).displayName().value() + " (`peerkey id use "
                        + key.id().displayName().value() + "` to change it)");
            }
            if (show) {
                showWords(out, key.id(), recoveryKey);
            }
            var fields = describe(key.id(), key.publicKey());
            fields.put("recoveryAddress", recoveryKey == null ? null : recoveryKey.address());
            if (recovery.file != null) {
                fields.put("recoveryFile", recovery.file.toAbsolutePath().toString());
            }
            fields.put("home", options.home.toString());
            out.result(fields);
        }

        /** The words, once, on the terminal (stderr), numbered six to a line. */
        private static void showWords(Output out, PeerId id, RecoveryKey recoveryKey) {
            String[] words = recoveryKey.words().trim().split("\\s+");
            out.progress("Recovery words of " + id.displayName().value()
                    + ". Write them down and keep them offline; they are not shown again.");
            out.progress("If the key is stolen they revoke the identity (`peerkey recover revoke"
                    + " --recovery-words-stdin`) or move it to a new key (`peerkey recover rotate`).");
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < words.length; i++) {
                line.append(String.format("%3d %-10s", i + 1, words[i]));
                if (i % 6 == 5 || i == words.length - 1) {
                    out.progress(line.toString().stripTrailing());
                    line.setLength(0);
                }
            }
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
            Output out = new Output(options.json);
            PublicKey current = profile.currentPublicKey(id);
            var fields = describe(id, current);
            fields.put("keyIndex", keyIndex(id, current, out));
            fields.put("keyAddress", current.address());
            out.result(fields);
        }

        /** 0 for the key the ID was made from; after a rotation the registry numbers the key (null if unreachable). */
        private Integer keyIndex(PeerId id, PublicKey current, Output out) {
            if (current.id().equals(id)) {
                return 0;
            }
            try (Context ctx = new Context(options)) {
                return ctx.registry().lookup(id).filter(r -> r.publicKey().equals(current))
                        .map(r -> r.keyIndex()).orElse(null);
            } catch (RuntimeException e) {
                out.progress("the key was rotated; its index is on chain, which is not reachable: " + e.getMessage());
                return null;
            }
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
            String defaultId = profile.config().defaultIdentity();
            List<Map<String, Object>> identities = profile.identities().stream().map(id -> {
                Map<String, Object> fields = describe(id, profile.currentPublicKey(id));
                fields.put("default", id.hex().equals(defaultId));
                return fields;
            }).toList();
            if (out.json()) {
                out.result(Map.of("identities", identities));
                return;
            }
            if (identities.isEmpty()) {
                out.progress("no identities in " + options.home + ": create one with `peerkey id new`");
            }
            identities.forEach(fields -> out.text((Boolean.TRUE.equals(fields.get("default")) ? "* " : "  ")
                    + fields.get("name") + "  " + fields.get("id")));
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true,
            description = {"Make one of this profile's identities the default: the one commands act for without --id.",
                "Example: peerkey id use 4kq3x7m2p5r6t8vz"})
    static final class Use implements Runnable {
        @Mixin
        GlobalOptions options;

        @Parameters(paramLabel = "ID", description = "ID, display name or address of one of this profile's identities.")
        String selector;

        @Override
        public void run() {
            Profile profile = new Profile(options.home, false);
            PeerId id = profile.identity(selector);
            profile.save(profile.config().withDefault(id));
            var fields = describe(id, profile.currentPublicKey(id));
            fields.put("default", true);
            new Output(options.json).result(fields);
        }
    }
}
