package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.Keystore;
import dev.peerkey.identity.KeystoreException;
import dev.peerkey.identity.Passwords;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.PublicKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `id export`, `id import` and `id passwd`: an identity's key as the V3 keystore file geth and wallets read. */
final class IdKeyCommands {
    private IdKeyCommands() {
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write an identity's current key to FILE as a V3 keystore file (Web3 Secret Storage, the"
                    + " format geth and wallets read), encrypted under the profile's password, mode 0600.",
                "The password is asked for (and checked) first."})
    static final class Export implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--id", paramLabel = "ID", description = "ID, display name or address of the identity"
                + " (default: the profile's default).")
        String selector;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
        Path out;

        @Option(names = "--force", description = "Replace FILE if it exists.")
        boolean force;

        @Override
        public void run() {
            Output output = new Output(options.json);
            Profile profile = new Profile(options.home, false);
            PeerId id = profile.identity(selector);
            PublicKey current = profile.currentPublicKey(id);
            Path target = out.toAbsolutePath();
            if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new PeerkeyException(out + " exists: pass --force to replace it");
            }
            profile.currentKey(id, new Context(options).password(false)); // only the owner exports
            byte[] file = profile.keystore().rawFile(current.id());
            try {
                Keystore.writeAtomically(target.getParent(), target, file, force, Keystore.ownerOnly(target.getParent()));
            } catch (FileAlreadyExistsException e) {
                throw new PeerkeyException(out + " exists: pass --force to replace it");
            } catch (IOException e) {
                throw new PeerkeyException("cannot write " + out + ": " + e.getMessage());
            }
            if (!current.id().equals(id)) {
                output.progress("note: " + id.displayName().value() + " was rotated; this is its current key, whose"
                        + " address differs from the ID's: `id import` of it elsewhere makes a new identity");
            }
            var fields = IdCommand.describe(id, current);
            fields.put("keyAddress", current.address());
            fields.put("file", target.toString());
            output.result(fields);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Add the key of a V3 keystore file (from geth, a wallet or `id export`) as a new identity.",
                "The file must open with the profile's password and use scrypt with n >= 2^14 or pbkdf2 with"
                        + " c >= 100000; it is then stored as it is. With --reencrypt (needed for weaker files) or"
                        + " --file-password-file the key is instead encrypted anew under the profile's password and"
                        + " its own scrypt parameters."})
    static final class Import implements Runnable {
        @Mixin
        GlobalOptions options;

        @Parameters(paramLabel = "FILE", description = "The V3 keystore file.")
        Path file;

        @Option(names = "--reencrypt", description = "Store the key encrypted anew under the profile's password"
                + " and scrypt parameters (required for a file with weak key derivation).")
        boolean reencrypt;

        @Option(names = "--file-password-file", paramLabel = "FILE", description = "The file's own password, if it"
                + " is not the profile's (first line of FILE); the key is re-encrypted under the profile's.")
        Path filePasswordFile;

        @Option(names = "--fast-kdf", description = "For a first identity re-encrypted with --reencrypt: light"
                + " scrypt parameters (fast, weaker: for tests and demos only).")
        boolean fastKdf;

        @Override
        public void run() {
            Output out = new Output(options.json);
            String name = String.valueOf(file.getFileName());
            if (!Files.isRegularFile(file)) {
                throw new PeerkeyException("cannot import " + file + ": no such file");
            }
            Keystore.Kdf kdf;
            try {
                kdf = Keystore.kdfOf(file); // a malformed file fails here, before any password
            } catch (KeystoreException e) {
                throw new PeerkeyException("cannot import " + name + ": " + e.getMessage());
            }
            boolean fresh = reencrypt || filePasswordFile != null;
            if (kdf.weak() && !reencrypt) {
                throw new PeerkeyException("cannot import " + name + ": its key derivation is weak (" + kdf
                        + ", below the minimum " + kdf.parameter() + " = " + kdf.minimum() + "), so a copy of it is"
                        + " cheap to guess at; pass --reencrypt to store the key under this profile's own parameters"
                        + " (and replace or delete the weak file)");
            }
            Context ctx = new Context(options);
            char[] profilePassword = ctx.password(false);
            char[] filePassword = filePasswordFile != null ? Passwords.resolve(filePasswordFile, null, false)
                    : profilePassword;
            IdentityKey key;
            try {
                key = Keystore.read(file, filePassword);
            } catch (KeystoreException e) {
                if (e.reason() == KeystoreException.Reason.WRONG_PASSWORD) {
                    throw new PeerkeyException("cannot import " + name + ": wrong password" + (filePasswordFile == null
                            ? " (the profile's password does not open it; if the file has its own, pass it with"
                                    + " --file-password-file FILE)" : " in " + filePasswordFile));
                }
                throw new PeerkeyException("cannot import " + name + ": " + e.getMessage());
            } finally {
                if (filePassword != profilePassword) {
                    Arrays.fill(filePassword, '\0');
                }
            }
            Profile existing = new Profile(options.home, false);
            if (existing.config().identities().containsKey(key.id().hex())) {
                throw new PeerkeyException("cannot import " + name + ": identity " + key.id().displayName().value()
                        + " (" + key.id().hex() + ") is already in this profile");
            }
            if (existing.holdsKey(key.publicKey())) {
                throw new PeerkeyException("cannot import " + name + ": this key is already in this profile's keystore"
                        + " (a rotated key of one of its identities)");
            }
            byte[] raw = null;
            if (!fresh) {
                try {
                    raw = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new PeerkeyException("cannot read " + file + ": " + e.getMessage());
                }
            }
            int before = existing.identities().size();
            Profile profile = new Profile(options.home, fresh && lightProfile(existing));
            profile.importIdentity(key, profilePassword, raw);
            out.progress("imported " + key.id().displayName().value() + (fresh ? ", re-encrypted under this profile's"
                    + " password" : ", stored as it is (" + kdf + ")") + (before > 0 ? "; identity #" + (before + 1)
                    + " of " + options.home + ", the default is still " + profile.identity(null).displayName().value()
                    : "") + "; it has no recovery key");
            var fields = IdCommand.describe(key.id(), key.publicKey());
            fields.put("reencrypted", fresh);
            out.result(fields);
        }

        /** The profile's own strength: that of its default identity's key file, else --fast-kdf. */
        private boolean lightProfile(Profile profile) {
            if (profile.config().defaultIdentity() == null) {
                return fastKdf;
            }
            PeerId id = profile.identity(null);
            Keystore.Kdf own = Keystore.kdfOf(profile.keystore().fileOf(profile.currentPublicKey(id).id()));
            return "scrypt".equals(own.kdf()) && own.value() < Keystore.MIN_SCRYPT_N;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = {"Change the profile's password. A profile has one password: every key of every identity,"
                    + " the mailbox account's key and the store key are re-encrypted together; a crash leaves all"
                    + " under the old password or all under the new one, and the old password stops working."})
    static final class Passwd implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--new-password-file", paramLabel = "FILE",
                defaultValue = "${env:PEERKEY_NEW_PASSWORD_FILE}",
                description = "Read the new password from the first line of FILE instead of asking twice"
                        + " (env: PEERKEY_NEW_PASSWORD_FILE).")
        Path newPasswordFile;

        @Override
        public void run() {
            Output out = new Output(options.json);
            Profile profile = new Profile(options.home, false);
            if (profile.config().defaultIdentity() == null) {
                throw new PeerkeyException("profile " + options.home + " has no identity yet: create one with"
                        + " `peerkey id new`");
            }
            if (newPasswordFile == null && !Terminal.interactive()) {
                throw new PeerkeyException("no new password: pass --new-password-file FILE (or set"
                        + " PEERKEY_NEW_PASSWORD_FILE), or run on a terminal to be asked");
            }
            char[] old = new Context(options).password(false);
            char[] fresh = Passwords.resolve(newPasswordFile, null, true);
            try {
                if (Arrays.equals(old, fresh)) {
                    throw new PeerkeyException("the new password is the same as the old one: nothing was changed");
                }
                if (fresh.length < IdCommand.MIN_PASSWORD) {
                    out.progress("warning: a password of " + fresh.length + " characters is quickly guessed by anyone"
                            + " who copies the keystore; " + IdCommand.MIN_PASSWORD + " or more (several words)"
                            + " are advised");
                }
                out.progress("re-encrypting this profile's keys under the new password (scrypt)…");
                PasswordChange.Result result = PasswordChange.change(options.home, old, fresh);
                var fields = Output.fields();
                fields.put("home", options.home.toString());
                fields.put("keysReencrypted", result.keys());
                fields.put("storeKeyRewrapped", result.storeKey());
                out.progress("the password of " + options.home + " is changed: " + result.keys() + " key file(s)"
                        + (result.storeKey() ? " and the store key" : "") + " now open with the new one only");
                out.result(fields);
            } finally {
                Arrays.fill(fresh, '\0');
            }
        }
    }
}
