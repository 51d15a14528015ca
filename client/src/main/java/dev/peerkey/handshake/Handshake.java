package dev.peerkey.handshake;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The mutual-authentication handshake for one Messenger deployment ({@code domain}), in three
 * calls. Each side checks the peer's signature against the key it verified from the registry
 * itself, so a lying node cannot fake a peer; the session key comes from fresh X25519 keys
 * (forward secrecy), is bound to both identities and the transcript, and the responder's key
 * confirmation is checked before the initiator uses it.
 *
 * <pre>
 * initiator:  pending = start(me, responder, now, endpoint)   -> submit pending.request()
 * responder:  acceptance = accept(me, initiator, request, now, endpoint) -> submit acceptance.accept()
 * initiator:  keys = finish(pending, accept)
 * </pre>
 *
 * Freshness of {@code signedAt} and replays are enforced by the contract (and the caller's store);
 * this class checks signatures, binding, payloads and keys. Stateless apart from the random source.
 */
public final class Handshake {
    private final HandshakeTypedData domain;
    private final SecureRandom random;

    public Handshake(HandshakeTypedData domain) {
        this(domain, new SecureRandom());
    }

    public Handshake(HandshakeTypedData domain, SecureRandom random) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.random = Objects.requireNonNull(random, "random");
    }

    public HandshakeTypedData domain() {
        return domain;
    }

    /**
     * Initiator: a fresh ephemeral key and the signed request, with {@code endpoint} sealed to the
     * responder's current key.
     *
     * @param responder the responder's ID and current key, as verified from the registry
     * @param endpoint this side's direct-connection endpoint, or null
     */
    public PendingHandshake start(LocalIdentity initiator, Peer responder, Instant signedAt, Endpoint endpoint) {
        return start(initiator, responder, signedAt, endpoint, List.of());
    }

    /**
     * Like {@link #start(LocalIdentity, Peer, Instant, Endpoint)}, with first messages sealed to the
     * responder's current key beside the endpoint (a message request it may read before answering),
     * the payload padded so that it seals to 256, 1,024, 4,096 or 16,384 bytes.
     *
     * @throws HandshakeException if the messages do not fit in a sealed payload
     */
    public PendingHandshake start(LocalIdentity initiator, Peer responder, Instant signedAt, Endpoint endpoint,
            List<FirstMessage> messages) {
        // A request with messages is padded to a size class, so its length does not tell theirs.
        Payload payload = messages.isEmpty() ? Payload.of(endpoint, null) : Payload.of(endpoint, null, messages).padded();
        EphemeralKey ephemeral = EphemeralKey.generate(random);
        AuthRequest request = AuthRequest.sign(domain, initiator, responder, ephemeral, signedAt, payload, random);
        return PendingHandshake.of(initiator, responder, request, ephemeral);
    }

    /**
     * Responder: verifies {@code request} (addressed to this identity, signed by the initiator's
     * current key, payload sealed to this identity), derives the session keys and signs the
     * accept, whose sealed payload carries the responder's confirmation tag and {@code endpoint}.
     *
     * @param initiator the initiator's ID and current key, as verified from the registry
     * @param endpoint this side's direct-connection endpoint, or null
     * @throws WrongSignerException if the request was not signed by {@code initiator}'s key
     * @throws SealedPayloadException if its payload cannot be opened or is malformed
     * @throws HandshakeException if it names other parties or its ephemeral key is low-order
     */
    public Acceptance accept(LocalIdentity responder, Peer initiator, AuthRequest request, Instant signedAt,
            Endpoint endpoint) {
        Objects.requireNonNull(responder, "responder");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(request, "request");
        if (!request.responder().equals(responder.id())) {
            throw new HandshakeException("this auth request is addressed to another identity");
        }
        if (!request.initiator().equals(initiator.id())) {
            throw new HandshakeException("this auth request was sent by another identity than the given initiator");
        }
        request.verify(initiator.currentKey(), domain);
        Payload received = request.open(responder.key());
        if (received.confirmation().isPresent()) {
            throw new SealedPayloadException("the auth request's sealed payload carries a confirmation tag, "
                    + "which only an accept may carry");
        }
        byte[] requestId = request.requestId(domain);
        EphemeralKey ephemeral = EphemeralKey.generate(random);
        try {
            KeySchedule schedule = KeySchedule.forResponder(ephemeral, request.ephemeralKey(), requestId,
                    request.initiator(), request.responder());
            AuthAccept accept = AuthAccept.sign(domain, request, responder, initiator, ephemeral, signedAt,
                    Payload.of(endpoint, schedule.responderConfirmation()), random);
            SessionKeys keys = new SessionKeys(SessionKeys.Role.RESPONDER, responder.id(), initiator.id(), requestId,
                    schedule, ephemeral.publicKey(), ephemeral.privateKey(), received.endpoint().orElse(null));
            return new Acceptance(accept, keys, received.messages());
        } finally {
            ephemeral.destroy(); // SessionKeys holds its own copy
        }
    }

    /**
     * Initiator: verifies the accept (signed by the responder's current key, bound to the pending
     * request, payload sealed to this identity) and the responder's key confirmation, then returns
     * the session keys. The pending handshake's ephemeral key is left to the caller to destroy.
     *
     * @throws WrongSignerException if the accept was not signed by the responder's key
     * @throws UnboundAcceptException if it answers another request
     * @throws SealedPayloadException if its payload cannot be opened or is malformed
     * @throws KeyConfirmationException if the confirmation tag is missing or wrong
     * @throws HandshakeException if its ephemeral key is low-order
     */
    public SessionKeys finish(PendingHandshake pending, AuthAccept accept) {
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(accept, "accept");
        AuthRequest request = pending.request();
        accept.verify(pending.responder().currentKey(), domain);
        accept.requireBoundTo(request, domain);
        Payload received = accept.open(pending.initiator().key());
        if (!received.messages().isEmpty()) {
            throw new SealedPayloadException("the auth accept's sealed payload carries messages, which only a"
                    + " request may carry");
        }
        byte[] requestId = request.requestId(domain);
        KeySchedule schedule = KeySchedule.forInitiator(pending.ephemeralKey(), accept.ephemeralKey(), requestId,
                request.initiator(), request.responder());
        byte[] tag = received.confirmation().orElseThrow(() -> new KeyConfirmationException(
                "the auth accept carries no key-confirmation tag, so its session keys cannot be trusted"));
        if (!schedule.verifyResponderConfirmation(tag)) {
            throw new KeyConfirmationException("the responder's key-confirmation tag is wrong: "
                    + "it did not derive the same session keys");
        }
        return new SessionKeys(SessionKeys.Role.INITIATOR, request.initiator(), request.responder(), requestId,
                schedule, accept.ephemeralKey(), null, received.endpoint().orElse(null));
    }
}
