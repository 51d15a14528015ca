/**
 * End-to-end encryption of chat messages once the handshake has agreed a shared secret:
 * {@link dev.peerkey.session.DoubleRatchet} (Signal's Double Ratchet) produces and consumes
 * {@link dev.peerkey.session.Envelope}s, the byte format every transport carries. Every
 * rejected envelope is a {@link dev.peerkey.session.MessageRejectedException} and leaves the
 * session unchanged.
 */
package dev.peerkey.session;
