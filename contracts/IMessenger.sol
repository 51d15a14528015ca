// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title peerkey handshake and mailbox interface
/// @notice Two identities of an {IIdentityRegistry} authenticate each other in two signed steps,
/// then exchange end-to-end encrypted envelopes through an on-chain mailbox.
///
/// Handshake (EIP-712 domain name "peerkey Messenger", version "2"):
/// 1. The initiator signs
///    `AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)`
///    and anyone submits it with {requestAuth}. The request's ID is the full EIP-712 digest of that
///    struct, so it commits to every signed field, to this contract and to the chain.
/// 2. The responder signs
///    `AuthAccept(bytes32 requestId,bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,`
///    `bytes32 payloadHash)` (one line, no space after the comma)
///    and anyone submits it with {acceptAuth}, giving the request's fields again (the contract stores
///    only one slot per request and recomputes the request ID from them).
///
/// An answer is refused when its request is older than `MAX_SIGNATURE_AGE` ({RequestExpired}) or
/// when the initiator's registry key changed since the request was made ({RequestSuperseded}): a
/// request signed by a key that was since rotated away can no longer open a session.
///
/// `ephemeralKey` is a fresh 32-byte X25519 public key and `payloadHash` is keccak256 of the sealed
/// payload, an ECIES ciphertext to the peer's registered key (e.g. a direct-connection endpoint).
/// The contract treats both as opaque. Signatures are 65 bytes (r || s || v) by the signer's
/// current registry key, with s in the lower half of the curve order.
///
/// The events carry every signed field and the signature, so each client verifies the peer's
/// signature itself instead of trusting its node.
///
/// Identity and signature rejections reuse the registry's errors, with the same selectors:
/// `IIdentityRegistry.UnknownIdentity(id)`, `IIdentityRegistry.IdentityExpired(id, validUntil)`,
/// `IIdentityRegistryErrors.IdentityRevoked(id)`, `IIdentityRegistry.InvalidSignature(id)`,
/// `IIdentityRegistry.StaleTimestamp(signedAt, blockTime)` and
/// `IIdentityRegistry.FutureTimestamp(signedAt, blockTime)`.
interface IMessenger {
    /// @notice State of a handshake request, as {requestStatus} reports it.
    enum RequestStatus {
        None,
        Pending,
        Accepted
    }

    /// @notice A request's signed fields as {acceptAuth} takes them: the fields of the initiator's
    /// AuthRequest, with keccak256 of its sealed payload. Their EIP-712 digest is the request ID.
    struct AuthRequestFields {
        bytes32 initiator;
        bytes32 responder;
        bytes32 ephemeralKey;
        uint40 signedAt;
        bytes32 payloadHash;
    }

    /// @notice The initiator and the responder are the same identity.
    error SelfAuthentication(bytes32 id);
    /// @notice The ephemeral key is all zeros.
    error ZeroEphemeralKey();
    /// @notice The sealed payload is longer than the contract accepts.
    error SealedPayloadTooLarge(uint256 length);
    /// @notice A request with this ID was already submitted (it is pending or accepted).
    error RequestReplayed(bytes32 requestId);
    /// @notice No request with this ID was ever submitted.
    error UnknownRequest(bytes32 requestId);
    /// @notice The request has already been accepted.
    error AlreadyAccepted(bytes32 requestId);
    /// @notice The request was signed more than `MAX_SIGNATURE_AGE` before the block time: too old to answer.
    error RequestExpired(bytes32 requestId, uint40 signedAt);
    /// @notice The initiator's registry key changed (rotation or recovery) after the request was made.
    error RequestSuperseded(bytes32 requestId);
    /// @notice A mailbox envelope has to carry at least one byte.
    error EmptyEnvelope();
    /// @notice The mailbox envelope is longer than the contract accepts.
    error EnvelopeTooLarge(uint256 length);
    /// @notice A batch must carry at least one envelope.
    error EmptyBatch();
    /// @notice A batch gives a different number of tags and envelopes.
    error BatchLengthMismatch(uint256 tags, uint256 envelopes);
    /// @notice Envelope number `index` (from 0) of a batch is empty or too long.
    error InvalidBatchEnvelope(uint256 index, uint256 length);

    /// @notice Emitted when an initiator's signed handshake request is accepted by the contract.
    /// @param responder The identity asked to authenticate (indexed, so it can watch for requests).
    /// @param initiator The identity that signed the request.
    /// @param requestId The EIP-712 digest of the signed AuthRequest.
    /// @param ephemeralKey The initiator's X25519 ephemeral public key.
    /// @param signedAt The initiator's signed timestamp.
    /// @param sealedPayload The ECIES ciphertext whose keccak256 was signed.
    /// @param signature The initiator's 65-byte signature, for the responder to verify itself.
    event AuthRequested(
        bytes32 indexed responder,
        bytes32 indexed initiator,
        bytes32 requestId,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes sealedPayload,
        bytes signature
    );

    /// @notice Emitted when the responder's signed answer to a request is accepted by the contract.
    /// @param initiator The identity that sent the request (indexed, so it can watch for answers).
    /// @param responder The identity that signed the answer.
    /// @param requestId The request being answered.
    /// @param ephemeralKey The responder's X25519 ephemeral public key.
    /// @param signedAt The responder's signed timestamp.
    /// @param sealedPayload The ECIES ciphertext whose keccak256 was signed.
    /// @param signature The responder's 65-byte signature, for the initiator to verify itself.
    event AuthAccepted(
        bytes32 indexed initiator,
        bytes32 indexed responder,
        bytes32 requestId,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes sealedPayload,
        bytes signature
    );

    /// @notice Emitted for every mailbox envelope; nothing is stored.
    /// @param recipientTag An opaque tag the recipient filters on.
    /// @param envelope The encrypted envelope, opaque to the contract.
    event Posted(bytes32 indexed recipientTag, bytes envelope);

    /// @notice Submits an initiator's signed handshake request. Anyone may submit it and pay the gas.
    /// @dev Stores the request's signedAt and the initiator's current key index in one slot.
    /// Reverts with {SelfAuthentication}, {ZeroEphemeralKey}, {SealedPayloadTooLarge}, the
    /// registry's StaleTimestamp (also for a signedAt of 0) / FutureTimestamp, {RequestReplayed}, the
    /// registry's UnknownIdentity / IdentityExpired / IdentityRevoked for either identity (initiator
    /// first), or the registry's InvalidSignature(initiator).
    /// @param initiator The identity starting the handshake; its current key signs.
    /// @param responder The identity asked to authenticate.
    /// @param ephemeralKey The initiator's 32-byte X25519 ephemeral public key (non-zero).
    /// @param signedAt The initiator's timestamp, within the freshness window of the block time.
    /// @param sealedPayload ECIES ciphertext to the responder's key; its keccak256 is signed.
    /// @param signature 65-byte EIP-712 signature over the AuthRequest.
    /// @return requestId The EIP-712 digest of the AuthRequest.
    function requestAuth(
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes calldata sealedPayload,
        bytes calldata signature
    ) external returns (bytes32 requestId);

    /// @notice Submits the responder's signed answer to a pending request. Anyone may submit it.
    /// @dev The request ID is recomputed from `request`, so forged fields name an unknown request.
    /// Reverts, in this order, with {UnknownRequest}, {AlreadyAccepted}, {RequestExpired},
    /// {RequestSuperseded}, {ZeroEphemeralKey}, {SealedPayloadTooLarge}, the registry's
    /// StaleTimestamp / FutureTimestamp, the registry's UnknownIdentity / IdentityExpired /
    /// IdentityRevoked for either identity (initiator first), or the registry's InvalidSignature(responder).
    /// @param request The request's signed fields, as its {AuthRequested} event carries them.
    /// @param ephemeralKey The responder's 32-byte X25519 ephemeral public key (non-zero).
    /// @param signedAt The responder's timestamp, within the freshness window of the block time.
    /// @param sealedPayload ECIES ciphertext to the initiator's key; its keccak256 is signed.
    /// @param signature 65-byte EIP-712 signature by the responder's current key over the AuthAccept.
    function acceptAuth(
        AuthRequestFields calldata request,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes calldata sealedPayload,
        bytes calldata signature
    ) external;

    /// @notice Posts an encrypted envelope to the mailbox: emits {Posted} and stores nothing.
    /// @dev Reverts with {EmptyEnvelope} or {EnvelopeTooLarge}.
    /// @param recipientTag An opaque tag the recipient filters on.
    /// @param envelope The encrypted envelope, 1 byte to the contract's maximum.
    function post(bytes32 recipientTag, bytes calldata envelope) external;

    /// @notice Posts several envelopes in one transaction: for each `i` in order, exactly what
    /// `post(recipientTags[i], envelopes[i])` does (one {Posted} event each, nothing stored), so
    /// readers see no difference. Lets a client send, say, the acknowledgements of many sessions at once.
    /// @dev Reverts with {BatchLengthMismatch}, {EmptyBatch}, or {InvalidBatchEnvelope} naming the
    /// first envelope that is empty or longer than `MAX_ENVELOPE_LENGTH`; then nothing is emitted.
    /// @param recipientTags One opaque tag per envelope.
    /// @param envelopes The encrypted envelopes, each 1 byte to the contract's maximum.
    function postBatch(bytes32[] calldata recipientTags, bytes[] calldata envelopes) external;

    /// @notice The identity registry whose keys sign handshakes.
    function registry() external view returns (IIdentityRegistry);

    /// @notice Whether a request is unknown (None), waiting for its answer (Pending) or answered (Accepted).
    function requestStatus(bytes32 requestId) external view returns (RequestStatus);

    /// @notice A request's state in one call.
    /// @return status None, Pending or Accepted.
    /// @return signedAt The initiator's signed timestamp (0 when None).
    /// @return initiatorKeyIndex The initiator's registry key index when the request was made (0 when None).
    /// @return acceptedAt Block time of the acceptance (0 unless Accepted).
    function authRequest(bytes32 requestId)
        external
        view
        returns (RequestStatus status, uint40 signedAt, uint32 initiatorKeyIndex, uint40 acceptedAt);

    /// @notice The EIP-712 digest of an AuthRequest, which is also its request ID. Lets a client
    /// check its own encoding against the contract's.
    /// @param payloadHash keccak256 of the sealed payload.
    function hashAuthRequest(
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 digest of an AuthAccept, the value the responder signs.
    /// @param payloadHash keccak256 of the sealed payload.
    function hashAuthAccept(
        bytes32 requestId,
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 domain separator of this contract on the current chain.
    function domainSeparator() external view returns (bytes32);
}
