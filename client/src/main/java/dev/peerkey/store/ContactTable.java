package dev.peerkey.store;

import dev.peerkey.identity.PeerId;
import java.util.List;
import java.util.Optional;

/** SQL for the contact_names table; names are sealed under the store key, bound to the peer's ID. */
final class ContactTable {
    private ContactTable() {
    }

    /** Every named contact, by name (names are sealed, so they are sorted here, not in SQL). */
    static List<Contact> all(Sql sql) {
        return sql.list("SELECT peer_id, name, verified_key, created_at FROM contact_names",
                rs -> {
                    byte[] peer = rs.getBytes("peer_id");
                    return new Contact(PeerId.of(peer), sql.openText(SealedColumn.CONTACT_NAME, peer,
                            rs.getString("name")), Optional.ofNullable(rs.getBytes("verified_key")),
                            Sql.instant(rs, "created_at"));
                }).stream().sorted(java.util.Comparator.comparing(Contact::name, String.CASE_INSENSITIVE_ORDER)).toList();
    }

    static void put(Sql sql, long now, PeerId peer, String name) {
        sql.update("INSERT INTO contact_names (peer_id, name, created_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (peer_id) DO UPDATE SET name = excluded.name", peer.bytes(),
                sql.sealText(SealedColumn.CONTACT_NAME, peer.bytes(), name), now);
    }

    static boolean remove(Sql sql, PeerId peer) {
        return sql.update("DELETE FROM contact_names WHERE peer_id = ?", peer.bytes()) > 0;
    }

    static boolean setVerified(Sql sql, PeerId peer, byte[] key) {
        return sql.update("UPDATE contact_names SET verified_key = ? WHERE peer_id = ?", key, peer.bytes()) > 0;
    }
}
