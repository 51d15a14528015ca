package dev.peerkey.messaging;

import dev.peerkey.store.MessageId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * An incoming envelope was refused. The message is for our own user and may name the peer.
 * What goes back on a direct connection depends on whether the envelope proved the session:
 * one that did not decrypt under it gets the refusal that says nothing; one that did gets its
 * reason, under a {@linkplain #proof(MessageId) proof} only the holders of the session can
 * compute, so the sender can tell the peer's refusal from a stranger's and stops instead of
 * falling back to the mailbox.
 */
final class RefusedException extends MessagingException {
    private static final long serialVersionUID = 1L;
    private static final byte[] DOMAIN = "peerkey refusal v1\0".getBytes(StandardCharsets.US_ASCII);

    private final byte[] proof;

    private RefusedException(String message, byte[] proof, Throwable cause) {
        super(message, cause);
        this.proof = proof;
    }

    /** A refusal of an envelope that did not decrypt under the session its tag names (or named none). */
    static RefusedException unproven(String message, Throwable cause) {
        return new RefusedException(message, null, cause);
    }

    static RefusedException unproven(String message) {
        return unproven(message, null);
    }

    /** A refusal of an envelope that decrypted to the packet with this ID. */
    static RefusedException proven(MessageId refused, String message, Throwable cause) {
        return new RefusedException(message, proof(refused), cause);
    }

    /** The proof to send back with the reason, if the envelope proved the session. */
    Optional<byte[]> proof() {
        return Optional.ofNullable(proof).map(byte[]::clone);
    }

    /**
     * SHA-256 over a domain and the refused packet's message ID. The ID travels only inside the
     * encryption, so only the sender and the receiver can compute this; it reveals nothing else.
     */
    static byte[] proof(MessageId refused) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DOMAIN);
            return sha.digest(refused.bytes());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
