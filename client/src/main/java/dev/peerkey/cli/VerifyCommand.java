package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.identity.SafetyNumber;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.store.Contact;
import dev.peerkey.store.Store;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey verify PEER [--mark | --unmark]`: the safety number two people compare out of band. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Show the safety number of you and PEER: 60 digits computed from both identities' current"
                + " registry keys, the same on both sides. Compare it with PEER in person or over a channel you"
                + " trust (or scan the QR code); if it matches, mark the contact verified with --mark. When PEER's"
                + " key changes, the mark lapses and commands that send to PEER say so.",
            "Example: peerkey verify bob --mark"})
final class VerifyCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Option(names = "--id", paramLabel = "ID", description = "Which of our identities (default: the profile's"
            + " default).")
    String identity;

    @Parameters(index = "0", paramLabel = "PEER", description = "A contact's name, or the peer's ID, display name or"
            + " address.")
    String peer;

    @ArgGroup(exclusive = true)
    Mark mark;

    static final class Mark {
        @Option(names = "--mark", required = true, description = "The numbers matched: mark the contact verified"
                + " with its current key.")
        boolean mark;

        @Option(names = "--unmark", required = true, description = "Clear the contact's verified mark.")
        boolean unmark;
    }

    @Option(names = "--no-qr", description = "Do not draw the QR code.")
    boolean noQr;

    @Override
    public void run() {
        try (Context ctx = new Context(options); Store store = ctx.openStore()) {
            Contacts contacts = Contacts.of(store);
            PeerId ourId = ctx.profile().identity(identity);
            PeerId peerId = contacts.resolve(ctx, peer);
            if (ctx.profile().identities().contains(peerId)) {
                throw new PeerkeyException(peerId + " is an identity of this profile: verify it from the other side");
            }
            IdentityRecord ours = current(ctx, ourId, "your identity");
            IdentityRecord theirs = current(ctx, peerId, "the peer");
            SafetyNumber number = SafetyNumber.of(ourId, ours.publicKey(), peerId, theirs.publicKey());
            Optional<Contact> contact = contacts.of(peerId);
            String label = contacts.label(peerId);
            if (mark != null) {
                if (contact.isEmpty()) {
                    throw new PeerkeyException(label + " is not a named contact: name it first with `peerkey contact"
                            + " add NAME " + peerId.displayName().value() + "`");
                }
                store.inTransaction(tx -> tx.markVerified(peerId, mark.mark ? theirs.publicKey().bytes() : null));
            }
            boolean verified = mark != null ? mark.mark
                    : contact.map(c -> c.verifiedWith(theirs.publicKey().bytes())).orElse(false);
            var fields = Output.fields();
            fields.put("peer", peerId.hex());
            fields.put("name", label);
            fields.put("ourId", ourId.hex());
            fields.put("ourKeyIndex", ours.keyIndex());
            fields.put("peerKeyIndex", theirs.keyIndex());
            fields.put("safetyNumber", number.toString());
            fields.put("verified", verified);
            if (ctx.out.json()) {
                ctx.out.result(fields);
                return;
            }
            ctx.out.text("safety number of you (" + ourId.displayName().value() + ", key #" + ours.keyIndex()
                    + ") and " + label + " (key #" + theirs.keyIndex() + "):");
            ctx.out.text("");
            number.formatted().lines().forEach(line -> ctx.out.text("    " + line));
            ctx.out.text("");
            if (!noQr) {
                QrText.of(number.digits()).lines().forEach(ctx.out::text);
            }
            ctx.out.text(status(contact, theirs, verified, label));
        }
    }

    private static IdentityRecord current(Context ctx, PeerId id, String whose) {
        IdentityRecord record = ctx.registry().require(id);
        if (record.revoked()) {
            throw new PeerkeyException(whose + " " + id.displayName().value() + " is revoked: there is no key to"
                    + " verify");
        }
        return record;
    }

    private static String status(Optional<Contact> contact, IdentityRecord theirs, boolean verified, String label) {
        if (verified) {
            return label + " is verified with key #" + theirs.keyIndex() + ".";
        }
        if (contact.flatMap(Contact::verifiedKey).isPresent()) {
            return label + "'s key changed since you verified it: compare the numbers again, then run `peerkey verify "
                    + label + " --mark`.";
        }
        return "Compare these numbers with " + label + "'s (`peerkey verify` on their side); if they match, run"
                + " `peerkey verify " + label + " --mark`" + (contact.isEmpty() ? " after naming it with `peerkey"
                + " contact add`" : "") + ".";
    }
}
