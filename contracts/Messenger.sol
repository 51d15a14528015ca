// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IIdentityRegistry, IIdentityRegistryErrors} from "./IIdentityRegistry.sol";
import {IMessenger} from "./IMessenger.sol";

/// @title peerkey handshake and mailbox
/// @notice Verifies the two signed steps of the mutual-authentication handshake against the
/// identities' current registry keys, and relays encrypted envelopes as events. See {IMessenger}.
/// @dev A request costs two fresh storage slots (initiator and responder, which {acceptAuth} needs
/// and does not take as arguments); an acceptance writes a third. The mailbox stores nothing.
/// The only external call is the view {IIdentityRegistry.lookup}, made through STATICCALL.
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

    /// @notice How far `signedAt` may lie before the block time (the registry's value).
    uint256 public constant MAX_SIGNATURE_AGE = 1 hours;
    /// @notice How far `signedAt` may lie after the block time (the registry's value).
    uint256 public constant MAX_CLOCK_SKEW = 5 minutes;
    /// @notice Longest mailbox envelope {post} accepts, in bytes.
    uint256 public constant MAX_ENVELOPE_LENGTH = 16 * 1024;
    /// @notice Longest sealed payload a handshake step accepts, in bytes.
    uint256 public constant MAX_SEALED_PAYLOAD_LENGTH = 16 * 1024;

    /// @dev A submitted request. `initiator` is never zero once stored (it is the hash of a
    /// registered key), so a zero initiator means "no such request". `acceptedAt` is the block
    /// time of the acceptance, never zero for a block that holds a transaction, so a non-zero
    /// value means "accepted"; its slot stays untouched until then.
    struct Request {
        bytes32 initiator;
        bytes32 responder;
        uint40 acceptedAt;
    }

    /// @inheritdoc IMessenger
    IIdentityRegistry public immutable registry;

    mapping(bytes32 requestId => Request) private _requests;

    /// @param registry_ The identity registry whose current keys must sign handshakes.
    constructor(IIdentityRegistry registry_) EIP712("peerkey Messenger", "1") {
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
        _checkStep(ephemeralKey, signedAt, sealedPayload);

        requestId = _hashAuthRequest(initiator, responder, ephemeralKey, signedAt, keccak256(sealedPayload));
        Request storage request = _requests[requestId];
        // Also warms the slot that is written below.
        if (request.initiator != bytes32(0)) revert RequestReplayed(requestId);

        address signer = _activeKeyAddress(initiator);
        _activeKeyAddress(responder);
        _checkSignature(initiator, requestId, signature, signer);

        request.initiator = initiator;
        request.responder = responder;
        emit AuthRequested(responder, initiator, requestId, ephemeralKey, signedAt, sealedPayload, signature);
    }

    /// @inheritdoc IMessenger
    function acceptAuth(
        bytes32 requestId,
        bytes32 ephemeralKey,
        uint40 signedAt,
        bytes calldata sealedPayload,
        bytes calldata signature
    ) external {
        Request storage request = _requests[requestId];
        bytes32 initiator = request.initiator;
        if (initiator == bytes32(0)) revert UnknownRequest(requestId);
        if (request.acceptedAt != 0) revert AlreadyAccepted(requestId);
        bytes32 responder = request.responder;
        _checkStep(ephemeralKey, signedAt, sealedPayload);

        _activeKeyAddress(initiator);
        address signer = _activeKeyAddress(responder);
        bytes32 digest =
            _hashAuthAccept(requestId, initiator, responder, ephemeralKey, signedAt, keccak256(sealedPayload));
        _checkSignature(responder, digest, signature, signer);

        request.acceptedAt = uint40(block.timestamp);
        emit AuthAccepted(initiator, responder, requestId, ephemeralKey, signedAt, sealedPayload, signature);
    }

    /// @inheritdoc IMessenger
    function post(bytes32 recipientTag, bytes calldata envelope) external {
        if (envelope.length == 0) revert EmptyEnvelope();
        if (envelope.length > MAX_ENVELOPE_LENGTH) revert EnvelopeTooLarge(envelope.length);
        emit Posted(recipientTag, envelope);
    }

    /// @inheritdoc IMessenger
    function requestStatus(bytes32 requestId) external view returns (RequestStatus) {
        return _status(_requests[requestId]);
    }

    /// @inheritdoc IMessenger
    function authRequest(bytes32 requestId)
        external
        view
        returns (RequestStatus status, bytes32 initiator, bytes32 responder, uint40 acceptedAt)
    {
        Request storage request = _requests[requestId];
        return (_status(request), request.initiator, request.responder, request.acceptedAt);
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

    /// @dev Reverts unless `id` is Active in the registry; returns the account of its current key
    /// (the last 20 bytes of keccak256 of the 64-byte key).
    function _activeKeyAddress(bytes32 id) private view returns (address) {
        (IIdentityRegistry.Status status, bytes memory publicKey,,, uint40 validUntil,,,) = registry.lookup(id);
        if (status != IIdentityRegistry.Status.Active) {
            if (status == IIdentityRegistry.Status.Unknown) revert IIdentityRegistry.UnknownIdentity(id);
            if (status == IIdentityRegistry.Status.Expired) revert IIdentityRegistry.IdentityExpired(id, validUntil);
            revert IIdentityRegistryErrors.IdentityRevoked(id);
        }
        return address(uint160(uint256(keccak256(publicKey))));
    }

    /// @dev Reverts with InvalidSignature(id) unless `signature` is a valid 65-byte, low-s signature
    /// of `digest` by `signer`.
    function _checkSignature(bytes32 id, bytes32 digest, bytes calldata signature, address signer) private pure {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
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

    /// @dev Accepted once acceptedAt is set; Pending while only the parties are stored; else None.
    function _status(Request storage request) private view returns (RequestStatus) {
        if (request.acceptedAt != 0) return RequestStatus.Accepted;
        if (request.initiator != bytes32(0)) return RequestStatus.Pending;
        return RequestStatus.None;
    }
}
