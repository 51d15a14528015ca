/**
 * Chat between two registered identities: runs the handshake over the Messenger contract,
 * keeps each session's Double Ratchet in the store, and carries the same encrypted envelopes
 * over the on-chain mailbox or a direct TCP connection, with acknowledgements and fallback.
 * {@link dev.peerkey.messaging.ChatClient} is the entry point; it sits above the registry,
 * handshake, session, store and transport packages and below the CLI.
 */
package dev.peerkey.messaging;
