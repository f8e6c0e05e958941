// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IOracleCommittee} from "../interfaces/IOracleCommittee.sol";

/// @title TestOracleCommittee
/// @notice TEST DOUBLE of the OracleCommittee's verification (EIP-712 domain "Rigel"/"1", sorted
/// unique active signers, t-of-n) without bonds or governance. Not for deployment.
contract TestOracleCommittee is IOracleCommittee, EIP712 {
    /// @notice Signatures out of order or repeated.
    error TestCommitteeUnsorted(address signer);
    /// @notice Signer not active.
    error TestCommitteeNotSigner(address signer);
    /// @notice Fewer signatures than the threshold.
    error TestCommitteeNoQuorum(uint256 count, uint256 threshold);

    bytes32 private constant _SHARD_TYPEHASH = keccak256(
        "ShardAttestation(address market,uint256 jobId,uint32 shard,address operator,bytes32 resultRoot,"
        "uint8 verdict,uint64 units,uint64 expiry)"
    );
    bytes32 private constant _CAPACITY_TYPEHASH = keccak256(
        "CapacityAttestation(address operator,bytes32 challengeId,uint64 opsPerSec,uint32 vramMiB,"
        "bytes32 gpuModel,uint64 validUntil)"
    );

    bytes32 private constant _BATCH_TYPEHASH = keccak256(
        "VerdictBatch(address market,bytes32 verdictsRoot,uint32 count,uint64 expiry)"
    );

    mapping(address => bool) public isSigner;
    uint256 public threshold;

    constructor(address[] memory signers, uint256 threshold_) EIP712("Rigel", "1") {
        for (uint256 i = 0; i < signers.length; ++i) isSigner[signers[i]] = true;
        threshold = threshold_;
    }

    function hashShardAttestation(ShardAttestation calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_SHARD_TYPEHASH, a)));
    }

    function hashCapacityAttestation(CapacityAttestation calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_CAPACITY_TYPEHASH, a)));
    }

    function hashVerdictBatch(VerdictBatch calldata b) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_BATCH_TYPEHASH, b)));
    }

    function verifyVerdictBatch(VerdictBatch calldata b, bytes[] calldata signatures) external view {
        _verify(hashVerdictBatch(b), signatures);
    }

    function verifyShardAttestation(ShardAttestation calldata a, bytes[] calldata signatures) external view {
        _verify(hashShardAttestation(a), signatures);
    }

    function verifyCapacityAttestation(CapacityAttestation calldata a, bytes[] calldata signatures) external view {
        _verify(hashCapacityAttestation(a), signatures);
    }

    function _verify(bytes32 digest, bytes[] calldata signatures) private view {
        if (signatures.length < threshold) revert TestCommitteeNoQuorum(signatures.length, threshold);
        address last;
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= last) revert TestCommitteeUnsorted(signer);
            if (!isSigner[signer]) revert TestCommitteeNotSigner(signer);
            last = signer;
        }
    }
}
