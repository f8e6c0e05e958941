// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOracleCommittee (cross-contract surface)
/// @notice The t-of-n oracle committee's EIP-712 verification, as the other contracts call it.
/// Domain: name "Rigel", version "1", chainId, verifyingContract = this committee.
/// @dev The implementation adds signer management, bonds and equivocation reports (PROTOCOL §7).
/// Signatures are 65-byte (r, s, v) ECDSA signatures over the EIP-712 digest, ordered by strictly
/// increasing signer address; every signer must be active; at least `threshold()` of them; and the
/// attestation's `expiry` (`validUntil`) at most `maxAttestationLifetime` after now, so that no
/// signature outlives its signer's membership (PROTOCOL §7.2). Whether it has expired is the
/// caller's check.
interface IOracleCommittee {
    /// @notice A committee verdict on a shard. Values of `ShardAttestation.verdict`.
    /// @dev 0 is never signed; 1 = Valid (pay), 2 = Invalid (slash and refund), 3 = DeveloperFault
    /// (the developer's code failed: pay the operator for the units used, refund the rest, no slash).
    enum Verdict {
        None,
        Valid,
        Invalid,
        DeveloperFault
    }

    /// @notice EIP-712 `ShardAttestation(address market,uint256 jobId,uint32 shard,address operator,
    /// bytes32 resultRoot,uint8 verdict,uint64 units,uint64 expiry)`.
    struct ShardAttestation {
        address market;
        uint256 jobId;
        uint32 shard;
        address operator;
        bytes32 resultRoot;
        uint8 verdict;
        uint64 units;
        uint64 expiry;
    }

    /// @notice EIP-712 `CapacityAttestation(address operator,bytes32 challengeId,uint64 opsPerSec,
    /// uint32 vramMiB,bytes32 gpuModel,uint64 validUntil)`.
    struct CapacityAttestation {
        address operator;
        bytes32 challengeId;
        uint64 opsPerSec;
        uint32 vramMiB;
        bytes32 gpuModel;
        uint64 validUntil;
    }

    /// @notice One leaf of a verdict batch (PROTOCOL §20.4): the committee's verdict on one shard.
    /// Not an EIP-712 struct: the leaf hash is `keccak256(bytes.concat(keccak256(abi.encode(jobId,
    /// shard, operator, resultRoot, verdict, units))))` (double-hashed, so a leaf is never an inner node).
    struct ShardVerdict {
        uint256 jobId;
        uint32 shard;
        address operator;
        bytes32 resultRoot;
        uint8 verdict;
        uint64 units;
    }

    /// @notice EIP-712 `VerdictBatch(address market,bytes32 verdictsRoot,uint32 count,uint64 expiry)`:
    /// one signature over the commutative keccak Merkle root of `count` `ShardVerdict` leaves for
    /// `market`. `expiry` bounds the signature's freshness as for a shard attestation.
    struct VerdictBatch {
        address market;
        bytes32 verdictsRoot;
        uint32 count;
        uint64 expiry;
    }

    /// @notice The EIP-712 digest of a shard attestation under this committee's domain.
    /// @param attestation The attestation.
    /// @return The digest that each signer signs.
    function hashShardAttestation(ShardAttestation calldata attestation) external view returns (bytes32);

    /// @notice The EIP-712 digest of a capacity attestation under this committee's domain.
    /// @param attestation The attestation.
    /// @return The digest that each signer signs.
    function hashCapacityAttestation(CapacityAttestation calldata attestation) external view returns (bytes32);

    /// @notice The EIP-712 digest of a verdict batch under this committee's domain.
    /// @param batch The batch.
    /// @return The digest that each signer signs.
    function hashVerdictBatch(VerdictBatch calldata batch) external view returns (bytes32);

    /// @notice Reverts unless `signatures` are a valid quorum over `batch` (and `batch.expiry` lies at
    /// most `maxAttestationLifetime` ahead). Whether the leaves match `batch.verdictsRoot`, and whether
    /// the batch expired, is the caller's check.
    /// @param batch The batch.
    /// @param signatures Signatures sorted by strictly increasing signer address.
    function verifyVerdictBatch(VerdictBatch calldata batch, bytes[] calldata signatures) external view;

    /// @notice Reverts unless `signatures` are a valid quorum over `attestation`.
    /// @param attestation The attestation.
    /// @param signatures Signatures sorted by strictly increasing signer address.
    function verifyShardAttestation(ShardAttestation calldata attestation, bytes[] calldata signatures) external view;

    /// @notice Reverts unless `signatures` are a valid quorum over `attestation`.
    /// @param attestation The attestation.
    /// @param signatures Signatures sorted by strictly increasing signer address.
    function verifyCapacityAttestation(
        CapacityAttestation calldata attestation,
        bytes[] calldata signatures
    ) external view;
}
