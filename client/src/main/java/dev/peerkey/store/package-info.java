/**
 * The local database of a profile: {@link dev.peerkey.store.Store} keeps sessions with their
 * ratchet state, pending handshakes, messages, sync cursors and the hashes of accepted
 * envelopes in one SQLite file, changed only through atomic
 * {@link dev.peerkey.store.Store#inTransaction transactions}. Ratchet states are opaque bytes
 * here; this package depends on nothing above identity.
 */
package dev.peerkey.store;
