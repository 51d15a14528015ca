// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {CalldataSignature} from "./CalldataSignature.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "./IIdentityRegistry.sol";
import {IMessenger} from "./IMessenger.sol";

/// @title peerkey handshake and mailbox
/// @notice Verifies the two signed steps of the mutual-authentication handshake against the
/// identities' current registry keys, and relays encrypted envelopes as events. See {IMessenger}.
/// @dev A request costs one fresh storage slot {signedAt, initiatorKeyIndex, acceptedAt}; the
/// acceptance rewrites it. {acceptAuth} takes the request's fields again and recomputes its ID, so
/// the parties need not be stored. The mailbox stores nothing. The only external call is the view
/// {IIdentityRegistry.lookup}, made through STATICCALL.
contract Messenger is IMessenger, EIP712 {
    /// @notice EIP-712 type hash of the initiator's handshake request.
    bytes32 public constant AUTH_REQUEST_TYPEHASH = keccak256(
        "AuthRequest(bytes32 initiator,bytes32 responder,bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)"
    );
    /// @notice EIP-712 type hash of the responder's answer.
    bytes32 public constant AUTH_ACCEPT_TYPEHASH = keccak256(
        "AuthAccept(bytes32 requestId,bytes32 initiator,bytes32 responder,"
        "bytes32 ephemeralKey,uint40 signedAt,bytes32 payloadHash)"
    );

    /// @notice How far `signedAt` may lie before the block time (the registry's value); also how
    /// long a request can be answered.
    uint256 public constant MAX_SIGNATURE_AGE = 1 hours;
    /// @notice How far `signedAt` may lie after the block time (the registry's value).
    uint256 public constant MAX_CLOCK_SKEW = 5 minutes;
    /// @notice Longest mailbox envelope {post} accepts, in bytes.
    uint256 public constant MAX_ENVELOPE_LENGTH = 16 * 1024;
    /// @notice Longest sealed payload a handshake step accepts, in bytes.
    uint256 public constant MAX_SEALED_PAYLOAD_LENGTH = 16 * 1024;

    /// @dev A submitted request, in one slot. `signedAt` is never zero once stored ({requestAuth}
    /// refuses 0 as stale), so a zero `signedAt` means "no such request". `initiatorKeyIndex` is the
    /// initiator's registry key index when the request was made. `acceptedAt` is the block time of
    /// the acceptance, never zero for a block that holds a transaction, so non-zero means "accepted".
    struct Request {
        uint40 signedAt;
        uint32 initiatorKeyIndex;
        uint40 acceptedAt;
    }

    /// @dev What {acceptAuth} and {requestAuth} need of an identity's registry entry.
    struct Entry {
        IIdentityRegistry.Status status;
        address signer;
        uint32 keyIndex;
        uint40 validUntil;
    }

    /// @inheritdoc IMessenger
    IIdentityRegistry public immutable registry;

    mapping(bytes32 requestId => Request) private _requests;

    /// @param registry_ The identity registry whose current keys must sign handshakes.
    constructor(IIdentityRegistry registry_) EIP712("peerkey Messenger", "2") {
        registry = registry_;
    }

    /// @inheritdoc IMessenger
    function requestAuth(
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes calldata sealedPayload,
        bytes calldata signature
    ) external returns (bytes32 requestId) {
        if (initiator == responder) revert SelfAuthentication(initiator);
        // 0 marks "no request" in storage; it is never fresh on a real chain anyway.
        if (signedAt == 0) revert IIdentityRegistry.StaleTimestamp(0, uint40(block.timestamp));
        _checkStep(ephemeralKey, signedAt, sealedPayload);

        requestId = _hashAuthRequest(initiator, responder, ephemeralKey, signedAt, keccak256(sealedPayload));
        Request storage request = _requests[requestId];
        // Also warms the slot that is written below.
        if (request.signedAt != 0) revert RequestReplayed(requestId);

        Entry memory from = _requireActive(initiator);
        _requireActive(responder);
        _checkSignature(initiator, requestId, signature, from.signer);

        _requests[requestId] = Request(signedAt, from.keyIndex, 0);
        emit AuthRequested(responder, initiator, requestId, ephemeralKey, signedAt, sealedPayload, signature);
    }

    /// @inheritdoc IMessenger
    function acceptAuth(
        AuthRequestFields calldata request,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes calldata sealedPayload,
        bytes calldata signature
    ) external {
        bytes32 requestId = _hashAuthRequest(
            request.initiator, request.responder, request.ephemeralKey, request.signedAt, request.payloadHash
        );
        Request memory stored = _requests[requestId];
        if (stored.signedAt == 0) revert UnknownRequest(requestId);
        if (stored.acceptedAt != 0) revert AlreadyAccepted(requestId);
        if (uint256(stored.signedAt) + MAX_SIGNATURE_AGE < block.timestamp) {
            revert RequestExpired(requestId, stored.signedAt);
        }
        Entry memory initiator = _lookup(request.initiator);
        if (initiator.keyIndex != stored.initiatorKeyIndex) revert RequestSuperseded(requestId);
        _checkStep(ephemeralKey, signedAt, sealedPayload);

        _checkActive(request.initiator, initiator);
        Entry memory responder = _requireActive(request.responder);
        bytes32 digest = _hashAuthAccept(
            requestId, request.initiator, request.responder, ephemeralKey, signedAt, keccak256(sealedPayload)
        );
        _checkSignature(request.responder, digest, signature, responder.signer);

        _requests[requestId].acceptedAt = uint40(block.timestamp);
        emit AuthAccepted(
            request.initiator, request.responder, requestId, ephemeralKey, signedAt, sealedPayload, signature
        );
    }

    /// @inheritdoc IMessenger
    function post(bytes32 recipientTag, bytes calldata envelope) external {
        if (envelope.length == 0) revert EmptyEnvelope();
        if (envelope.length > MAX_ENVELOPE_LENGTH) revert EnvelopeTooLarge(envelope.length);
        emit Posted(recipientTag, envelope);
    }

    /// @inheritdoc IMessenger
    function postBatch(bytes32[] calldata recipientTags, bytes[] calldata envelopes) external {
        uint256 count = envelopes.length;
        if (recipientTags.length != count) revert BatchLengthMismatch(recipientTags.length, count);
        if (count == 0) revert EmptyBatch();
        // Every envelope is checked before any is emitted: a batch is posted whole or not at all
        // (a revert undoes the events anyway; checking first makes the error name the first bad one).
        for (uint256 i; i < count; ++i) {
            uint256 length = envelopes[i].length;
            if (length == 0 || length > MAX_ENVELOPE_LENGTH) revert InvalidBatchEnvelope(i, length);
        }
        for (uint256 i; i < count; ++i) {
            emit Posted(recipientTags[i], envelopes[i]);
        }
    }

    /// @inheritdoc IMessenger
    function requestStatus(bytes32 requestId) external view returns (RequestStatus) {
        return _status(_requests[requestId]);
    }

    /// @inheritdoc IMessenger
    function authRequest(bytes32 requestId)
        external
        view
        returns (RequestStatus status, uint40 signedAt, uint32 initiatorKeyIndex, uint40 acceptedAt)
    {
        Request memory request = _requests[requestId];
        return (_status(request), request.signedAt, request.initiatorKeyIndex, request.acceptedAt);
    }

    /// @inheritdoc IMessenger
    function hashAuthRequest(
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) external view returns (bytes32) {
        return _hashAuthRequest(initiator, responder, ephemeralKey, signedAt, payloadHash);
    }

    /// @inheritdoc IMessenger
    function hashAuthAccept(
        bytes32 requestId,
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) external view returns (bytes32) {
        return _hashAuthAccept(requestId, initiator, responder, ephemeralKey, signedAt, payloadHash);
    }

    /// @inheritdoc IMessenger
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Checks of the fields both handshake steps share, none of which needs storage or a call.
    function _checkStep(bytes32 ephemeralKey, uint40 signedAt, bytes calldata sealedPayload) private view {
        if (ephemeralKey == bytes32(0)) revert ZeroEphemeralKey();
        if (sealedPayload.length > MAX_SEALED_PAYLOAD_LENGTH) revert SealedPayloadTooLarge(sealedPayload.length);
        _checkSignedAt(signedAt);
    }

    /// @dev Bounds the signer's timestamp to [now - MAX_SIGNATURE_AGE, now + MAX_CLOCK_SKEW], without
    /// a subtraction that would underflow near timestamp 0. The same rule as the registry's.
    function _checkSignedAt(uint40 signedAt) private view {
        if (uint256(signedAt) + MAX_SIGNATURE_AGE < block.timestamp) {
            revert IIdentityRegistry.StaleTimestamp(signedAt, uint40(block.timestamp));
        }
        if (signedAt > block.timestamp + MAX_CLOCK_SKEW) {
            revert IIdentityRegistry.FutureTimestamp(signedAt, uint40(block.timestamp));
        }
    }

    /// @dev The registry's entry for `id`: its status, the account of its current key (the last 20
    /// bytes of keccak256 of the 64-byte key), the key's index and its validity end.
    function _lookup(bytes32 id) private view returns (Entry memory entry) {
        bytes memory publicKey;
        (entry.status, publicKey, entry.keyIndex,, entry.validUntil,,,) = registry.lookup(id);
        entry.signer = address(uint160(uint256(keccak256(publicKey))));
    }

    /// @dev The registry's entry for `id`; reverts unless it is Active.
    function _requireActive(bytes32 id) private view returns (Entry memory entry) {
        entry = _lookup(id);
        _checkActive(id, entry);
    }

    /// @dev Reverts with the registry's error unless `entry` (of `id`) is Active.
    function _checkActive(bytes32 id, Entry memory entry) private pure {
        if (entry.status != IIdentityRegistry.Status.Active) {
            if (entry.status == IIdentityRegistry.Status.Unknown) revert IIdentityRegistry.UnknownIdentity(id);
            if (entry.status == IIdentityRegistry.Status.Expired) {
                revert IIdentityRegistry.IdentityExpired(id, entry.validUntil);
            }
            revert IIdentityRegistryErrors.IdentityRevoked(id);
        }
    }

    /// @dev Reverts with InvalidSignature(id) unless `signature` is a valid 65-byte, low-s signature
    /// of `digest` by `signer`.
    function _checkSignature(bytes32 id, bytes32 digest, bytes calldata signature, address signer) private pure {
        (address recovered, ECDSA.RecoverError err,) = CalldataSignature.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) {
            revert IIdentityRegistry.InvalidSignature(id);
        }
    }

    /// @dev The EIP-712 digest of an AuthRequest: the value the initiator signs and the request ID.
    function _hashAuthRequest(
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(AUTH_REQUEST_TYPEHASH, initiator, responder, ephemeralKey, signedAt, payloadHash))
        );
    }

    /// @dev The EIP-712 digest of an AuthAccept: the value the responder signs.
    function _hashAuthAccept(
        bytes32 requestId,
        bytes32 initiator,
        bytes32 responder,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes32 payloadHash
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(AUTH_ACCEPT_TYPEHASH, requestId, initiator, responder, ephemeralKey, signedAt, payloadHash)
            )
        );
    }

    /// @dev Accepted once acceptedAt is set; Pending while only signedAt is; else None.
    function _status(Request memory request) private pure returns (RequestStatus) {
        if (request.acceptedAt != 0) return RequestStatus.Accepted;
        if (request.signedAt != 0) return RequestStatus.Pending;
        return RequestStatus.None;
    }
}
