package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.store.Contact;
import dev.peerkey.store.ContactStatus;
import dev.peerkey.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey contact add|list|rm`: names for peers, usable wherever a command takes a peer. */
@Command(name = "contact", mixinStandardHelpOptions = true,
        description = "Name your contacts: every command that takes a PEER then accepts the name (`peerkey send bob"
                + " hi`). Names are kept sealed in the profile's store.",
        subcommands = {ContactCommand.Add.class, ContactCommand.ListContacts.class, ContactCommand.Remove.class})
final class ContactCommand {
    private ContactCommand() {
    }

    /** `peerkey contact add NAME PEER`. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Name a registered identity and make it a contact: its handshake requests are answered"
                    + " without waiting in `peerkey requests`.",
                "Example: peerkey contact add bob 4kq3x7m2p5r6t8vz"})
    static final class Add implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--id", paramLabel = "ID", description = "Which of our identities it is a contact of"
                + " (default: the profile's default).")
        String identity;

        @Parameters(index = "0", paramLabel = "NAME", description = "A letter, then up to 31 letters, digits, '.',"
                + " '-' or '_'.")
        String name;

        @Parameters(index = "1", paramLabel = "PEER", description = "The peer's ID, display name or address.")
        String peer;

        @Override
        public void run() {
            String valid = Contacts.requireValidName(name);
            try (Context ctx = new Context(options)) {
                PeerId ourId = ctx.profile().identity(identity);
                PeerId peerId = LookupCommand.resolve(ctx.registry(), peer, ctx.registryBlock());
                if (ctx.profile().identities().contains(peerId)) {
                    throw new PeerkeyException(peerId + " is an identity of this profile, not a contact");
                }
                ctx.registry().require(peerId);
                try (Store store = ctx.openStore()) {
                    Contacts contacts = Contacts.of(store);
                    contacts.named(valid).filter(c -> !c.peer().equals(peerId)).ifPresent(taken -> {
                        throw new PeerkeyException("the name '" + taken.name() + "' is taken by "
                                + taken.peer().displayName().value() + ": pick another, or `peerkey contact rm "
                                + taken.name() + "` first");
                    });
                    Optional<String> before = contacts.of(peerId).map(Contact::name);
                    boolean blocked = store.inTransactionReturning(tx -> {
                        tx.nameContact(peerId, valid);
                        if (tx.contactStatus(ourId, peerId).orElse(null) == ContactStatus.BLOCKED) {
                            return true;
                        }
                        tx.setContactStatus(ourId, peerId, ContactStatus.CONTACT);
                        return false;
                    });
                    if (blocked) {
                        ctx.out.progress(valid + " is blocked: `peerkey unblock " + valid + "` to hear from it again");
                    }
                    var fields = Output.fields();
                    fields.put("name", valid);
                    fields.put("peer", peerId.hex());
                    fields.put("displayName", peerId.displayName().value());
                    fields.put("renamedFrom", before.filter(b -> !b.equals(valid)).orElse(null));
                    fields.put("blocked", blocked);
                    ctx.out.result(fields);
                }
            }
        }
    }

    /** `peerkey contact list`. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the named contacts, each with its display name, ID and whether you verified its"
                    + " current key (`peerkey verify`).")
    static final class ListContacts implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            try (Context ctx = new Context(options); Store store = ctx.openStore()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Contact c : Contacts.of(store).all()) {
                    Optional<IdentityRecord> current = ctx.registry().lookup(c.peer());
                    var row = Output.fields();
                    row.put("name", c.name());
                    row.put("displayName", c.peer().displayName().value());
                    row.put("peer", c.peer().hex());
                    row.put("status", current.map(r -> r.status().label()).orElse("unknown"));
                    row.put("keyIndex", current.map(IdentityRecord::keyIndex).orElse(null));
                    row.put("verification", verification(c, current));
                    rows.add(row);
                }
                if (ctx.out.json()) {
                    ctx.out.result(Map.of("contacts", rows));
                    return;
                }
                if (rows.isEmpty()) {
                    ctx.out.progress("no contacts yet: name one with `peerkey contact add NAME PEER`");
                }
                for (Map<String, Object> row : rows) {
                    ctx.out.text(String.format("%-16s %s  key #%s  %s  %s", row.get("name"), row.get("displayName"),
                            row.get("keyIndex") == null ? "-" : row.get("keyIndex"), row.get("status"),
                            row.get("verification")));
                }
            }
        }

        private static String verification(Contact c, Optional<IdentityRecord> current) {
            if (c.verifiedKey().isEmpty()) {
                return "not verified";
            }
            return current.filter(r -> c.verifiedWith(r.publicKey().bytes())).isPresent() ? "verified"
                    : "key changed since verified";
        }
    }

    /** `peerkey contact rm NAME`. */
    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Forget a contact's name and verified mark. Sessions and messages stay; to refuse the"
                    + " peer, use `peerkey block`.")
    static final class Remove implements Runnable {
        @Mixin
        GlobalOptions options;

        @Parameters(index = "0", paramLabel = "NAME", description = "The contact's name (or its ID).")
        String name;

        @Override
        public void run() {
            try (Context ctx = new Context(options); Store store = ctx.openStore()) {
                PeerId peerId = Contacts.of(store).resolve(ctx, name);
                if (!store.inTransactionReturning(tx -> tx.forgetContact(peerId))) {
                    throw new PeerkeyException(peerId.displayName().value() + " has no contact name");
                }
                var fields = Output.fields();
                fields.put("removed", name.strip());
                fields.put("peer", peerId.hex());
                ctx.out.result(fields);
            }
        }
    }
}
