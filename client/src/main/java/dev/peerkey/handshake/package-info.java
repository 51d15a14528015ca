/**
 * Mutual authentication of two registered identities through two signed steps that the
 * Messenger contract verifies on chain and each client verifies again itself:
 * {@link dev.peerkey.handshake.AuthRequest} and {@link dev.peerkey.handshake.AuthAccept}
 * (EIP-712, {@link dev.peerkey.handshake.HandshakeTypedData}), each carrying a fresh X25519
 * ephemeral key and a payload sealed to the peer's registered key ({@link dev.peerkey.handshake.Ecies},
 * {@link dev.peerkey.handshake.Payload}). {@link dev.peerkey.handshake.KeySchedule} turns the two
 * ephemeral keys into the session's shared secret, associated data and key-confirmation tags;
 * {@link dev.peerkey.handshake.Handshake} runs the whole exchange and hands the session layer
 * {@link dev.peerkey.handshake.SessionKeys} as plain bytes. This package uses identity (and is
 * used by session and above); it never imports session. Every failure is a
 * {@link dev.peerkey.handshake.HandshakeException}.
 */
package dev.peerkey.handshake;
