// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleCommittee} from "./IOracleCommittee.sol";

/// @title IBondedOracleCommittee
/// @notice The full OracleCommittee: the verification surface of IOracleCommittee plus bonded
/// signers managed by governance, a threshold, and equivocation reports.
/// @dev Warning: the committee is trusted to sign truthful verdicts; its members are kept honest by
/// their bonds (equivocation is provable on-chain) and by governance, which appoints and removes them.
interface IBondedOracleCommittee is IOracleCommittee {
    /// @notice The life cycle of a signer.
    /// @dev None: unknown. Approved: appointed by governance, no bond yet (cannot sign).
    /// Active: bonded, counts towards the threshold. Removed: no longer signs; its bond (if any)
    /// stays slashable until `bondReleaseAt`, then may be withdrawn.
    enum SignerStatus {
        None,
        Approved,
        Active,
        Removed
    }

    /// @notice A signer's record.
    struct Signer {
        SignerStatus status;
        uint64 bondReleaseAt;
        uint256 bond;
    }

    /// @notice A signature at `index` could not be recovered (bad length, high s, bad v, or zero).
    /// @param index The position in the signature array.
    error CommitteeInvalidSignature(uint256 index);

    /// @notice The signer at `index` is not strictly above the previous one (unsorted or duplicated).
    /// @param index The position in the signature array.
    /// @param signer The recovered signer.
    error CommitteeSignersNotSorted(uint256 index, address signer);

    /// @notice The recovered signer is not an active committee member.
    /// @param signer The recovered signer.
    error CommitteeSignerNotActive(address signer);

    /// @notice Fewer valid signatures than the threshold.
    /// @param count The number of signatures.
    /// @param threshold The threshold.
    error CommitteeBelowThreshold(uint256 count, uint256 threshold);

    /// @notice The signer cannot move from its current status by this call.
    /// @param signer The signer.
    /// @param status Its current status.
    error CommitteeWrongSignerStatus(address signer, SignerStatus status);

    /// @notice Adding a signer would exceed `MAX_SIGNERS` active or approved members.
    /// @param maxSigners The limit.
    error CommitteeTooManySigners(uint256 maxSigners);

    /// @notice The threshold must be between 1 and `MAX_SIGNERS`.
    /// @param threshold The rejected value.
    error CommitteeInvalidThreshold(uint256 threshold);

    /// @notice A basis-point value above 10000.
    /// @param bps The rejected value.
    error CommitteeInvalidBps(uint256 bps);

    /// @notice The signer address is zero.
    error CommitteeZeroAddress();

    /// @notice The bond cannot be withdrawn yet (or there is none).
    /// @param signer The signer.
    /// @param releaseAt When it may be withdrawn.
    error CommitteeBondLocked(address signer, uint64 releaseAt);

    /// @notice The two attestations in an equivocation report are not about the same subject.
    error CommitteeDifferentSubjects();

    /// @notice The two attestations in an equivocation report have the same content.
    error CommitteeSameContent();

    /// @notice The two signatures of an equivocation report were made by different signers.
    /// @param first The signer of the first attestation.
    /// @param second The signer of the second attestation.
    error CommitteeDifferentSigners(address first, address second);

    /// @notice The equivocating signer has no bond left to slash.
    /// @param signer The signer.
    error CommitteeNothingToSlash(address signer);

    /// @notice Governance appointed `signer` (it must post a bond before it can sign).
    /// @param signer The signer.
    event SignerApproved(address indexed signer);

    /// @notice `signer` posted `bond` RGL and became active.
    /// @param signer The signer.
    /// @param bond The RGL bonded.
    /// @param activeSigners The active signers after the change.
    event SignerBonded(address indexed signer, uint256 bond, uint256 activeSigners);

    /// @notice Governance removed `signer`; its bond is released at `bondReleaseAt`.
    /// @param signer The signer.
    /// @param bondReleaseAt When the bond may be withdrawn.
    /// @param activeSigners The active signers after the change.
    event SignerRemoved(address indexed signer, uint64 bondReleaseAt, uint256 activeSigners);

    /// @notice A removed signer withdrew its bond.
    /// @param signer The signer.
    /// @param amount The RGL returned.
    event BondWithdrawn(address indexed signer, uint256 amount);

    /// @notice `signer` signed two different attestations for one subject; its bond was slashed.
    /// @param signer The equivocating signer.
    /// @param reporter Who reported it.
    /// @param subject The subject: keccak256(market, jobId, shard) or the capacity challengeId.
    /// @param slashed The bond slashed.
    /// @param reporterReward The part paid to the reporter (the rest was burned).
    event EquivocationReported(
        address indexed signer,
        address indexed reporter,
        bytes32 indexed subject,
        uint256 slashed,
        uint256 reporterReward
    );

    /// @notice The threshold changed.
    /// @param threshold The new threshold.
    event ThresholdSet(uint256 threshold);

    /// @notice The bond a new signer must post changed.
    /// @param bondAmount The new amount.
    event BondAmountSet(uint256 bondAmount);

    /// @notice The reporter's share of a slashed bond changed.
    /// @param reporterRewardBps The new share, in basis points.
    event ReporterRewardSet(uint16 reporterRewardBps);

    /// @notice How long a removed signer's bond stays slashable changed.
    /// @param bondUnbondingPeriod The new period, in seconds.
    event BondUnbondingPeriodSet(uint64 bondUnbondingPeriod);

    /// @notice The most signers (approved or active) the committee holds; bounds every loop.
    /// @return The limit.
    function MAX_SIGNERS() external view returns (uint256);

    /// @notice The RGL token bonds are posted in.
    /// @return The token address.
    function token() external view returns (address);

    /// @notice The number of valid signatures a verification needs.
    /// @return The threshold.
    function threshold() external view returns (uint256);

    /// @notice The number of active (bonded) signers.
    /// @return The count.
    function activeSigners() external view returns (uint256);

    /// @notice The number of approved or active signers (what `MAX_SIGNERS` bounds).
    /// @return The count.
    function memberCount() external view returns (uint256);

    /// @notice The RGL bond a signer posts to become active.
    /// @return The amount.
    function bondAmount() external view returns (uint256);

    /// @notice The reporter's share of a slashed bond, in basis points; the rest is burned.
    /// @return Basis points.
    function reporterRewardBps() external view returns (uint16);

    /// @notice How long a removed signer's bond stays slashable before it can be withdrawn.
    /// @return Seconds.
    function bondUnbondingPeriod() external view returns (uint64);

    /// @notice A signer's record.
    /// @param signer The signer.
    /// @return The record.
    function signerInfo(address signer) external view returns (Signer memory);

    /// @notice Whether `signer` is active (bonded, not removed).
    /// @param signer The signer.
    /// @return True when active.
    function isActiveSigner(address signer) external view returns (bool);

    /// @notice Appoint a signer. Governance only (`DEFAULT_ADMIN_ROLE`, the timelock).
    /// @param signer The signer's address; must be unknown or removed with no bond left.
    function approveSigner(address signer) external;

    /// @notice Post the bond (`bondAmount` RGL, pulled from the caller) and become active.
    /// Only an approved signer, for itself.
    function postBond() external;

    /// @notice Remove a signer (approved or active). Governance only. The bond stays slashable for
    /// `bondUnbondingPeriod`.
    /// @param signer The signer.
    function removeSigner(address signer) external;

    /// @notice Withdraw the bond of a removed signer after its release time. Only the signer.
    function withdrawBond() external;

    /// @notice Set the threshold (1..MAX_SIGNERS). Governance only.
    /// @param newThreshold The threshold.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Set the bond new signers post. Governance only; existing bonds are unchanged.
    /// @param newBondAmount The amount.
    function setBondAmount(uint256 newBondAmount) external;

    /// @notice Set the reporter's share of a slashed bond. Governance only.
    /// @param newReporterRewardBps Basis points (0..10000).
    function setReporterRewardBps(uint16 newReporterRewardBps) external;

    /// @notice Set how long a removed signer's bond stays slashable. Governance only.
    /// @param newPeriod Seconds.
    function setBondUnbondingPeriod(uint64 newPeriod) external;

    /// @notice Report that one signer signed two shard attestations for the same (market, jobId,
    /// shard) with different content (operator, resultRoot, verdict or units; `expiry` alone may
    /// differ, a re-signature is not an equivocation). Slashes the signer's whole bond, pays the
    /// reporter `reporterRewardBps` of it, burns the rest and removes the signer. Anyone may call.
    /// @param a The first attestation.
    /// @param sigA The signer's signature over `a`.
    /// @param b The second attestation.
    /// @param sigB The signer's signature over `b`.
    function reportShardEquivocation(
        ShardAttestation calldata a,
        bytes calldata sigA,
        ShardAttestation calldata b,
        bytes calldata sigB
    ) external;

    /// @notice Report that one signer signed two capacity attestations for the same challengeId
    /// with different content (operator, opsPerSec, vramMiB or gpuModel; `validUntil` alone may
    /// differ). Same consequences as `reportShardEquivocation`. Anyone may call.
    /// @param a The first attestation.
    /// @param sigA The signer's signature over `a`.
    /// @param b The second attestation.
    /// @param sigB The signer's signature over `b`.
    function reportCapacityEquivocation(
        CapacityAttestation calldata a,
        bytes calldata sigA,
        CapacityAttestation calldata b,
        bytes calldata sigB
    ) external;
}
