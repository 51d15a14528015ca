package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.DisplayName;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.IdentityRecord;
import dev.peerkey.store.Contact;
import dev.peerkey.store.Store;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The names a profile gives its contacts: resolving what the user typed for a peer (a contact's
 * name first, then an ID, display name or address), suggesting a close name on a typo, and
 * telling the user when a verified contact's key has changed.
 */
final class Contacts {
    private static final String NAME_RULE = "a letter, then up to 31 letters, digits, '.', '-' or '_'";

    private final List<Contact> all;

    private Contacts(List<Contact> all) {
        this.all = List.copyOf(all);
    }

    static Contacts of(Store store) {
        return new Contacts(store.inTransactionReturning(tx -> tx.contacts()));
    }

    List<Contact> all() {
        return all;
    }

    Optional<Contact> named(String name) {
        return all.stream().filter(c -> c.name().equalsIgnoreCase(name.strip())).findFirst();
    }

    Optional<Contact> of(PeerId peer) {
        return all.stream().filter(c -> c.peer().equals(peer)).findFirst();
    }

    /** The contact's name if the user gave one, else the peer's display name. */
    String label(PeerId peer) {
        return of(peer).map(Contact::name).orElse(peer.displayName().value());
    }

    /** Refuses a name that is not {@link #NAME_RULE} or that could be read as an ID, display name or address. */
    static String requireValidName(String name) {
        String n = name.strip();
        if (!n.matches("[A-Za-z][A-Za-z0-9._-]{0,31}") || DisplayName.looksLike(n.toLowerCase(Locale.ROOT))
                || n.matches("0x[0-9a-fA-F]*")) {
            throw new UsageException("'" + name + "' cannot be a contact name: use " + NAME_RULE
                    + ", and nothing that reads as an ID, display name or address");
        }
        return n;
    }

    /** Whether {@code text} has the form of an ID, a display name or an address (else it can only be a name). */
    static boolean looksLikeIdentity(String text) {
        String t = text.strip();
        return t.matches("(0x)?[0-9a-fA-F]{64}") || t.matches("0x[0-9a-fA-F]{40}") || DisplayName.looksLike(t);
    }

    /**
     * The peer {@code selector} names: a contact's name, else an ID, display name or address
     * looked up in the registry. An unknown name gets the closest contact names as suggestions.
     */
    PeerId resolve(Context ctx, String selector) {
        Optional<Contact> named = named(selector);
        if (named.isPresent()) {
            return named.get().peer();
        }
        if (looksLikeIdentity(selector) || !selector.strip().matches("[A-Za-z][A-Za-z0-9._-]{0,31}")) {
            return LookupCommand.resolve(ctx.registry(), selector, ctx.registryBlock());
        }
        throw new PeerkeyException("no contact named '" + selector.strip() + "'" + suggestion(selector)
                + "; see `peerkey contact list`, or name one with `peerkey contact add NAME PEER`");
    }

    private String suggestion(String typed) {
        String t = typed.strip().toLowerCase(Locale.ROOT);
        return all.stream().map(Contact::name)
                .filter(n -> distance(t, n.toLowerCase(Locale.ROOT)) <= Math.max(1, Math.min(2, n.length() / 3))
                        || n.toLowerCase(Locale.ROOT).startsWith(t))
                .min(Comparator.comparingInt(n -> distance(t, n.toLowerCase(Locale.ROOT))))
                .map(n -> " (did you mean '" + n + "'?)").orElse("");
    }

    /** Edits from one to the other: insertions, deletions, substitutions and swaps of neighbours (bbo → bob is one). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * A warning if {@code peer} is a contact the user verified with another key than its current
     * one (it rotated since, or was recovered): the mark no longer holds.
     */
    Optional<String> verificationLapsed(PeerId peer, IdentityRecord current) {
        return of(peer).filter(c -> c.verifiedKey().isPresent() && !c.verifiedWith(current.publicKey().bytes()))
                .map(c -> c.name() + "'s key changed since you verified it (now key #" + current.keyIndex()
                        + "): compare safety numbers again with `peerkey verify " + c.name() + "`");
    }
}
