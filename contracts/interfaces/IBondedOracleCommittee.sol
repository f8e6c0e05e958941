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
    /// stays slashable until `bondReleaseAt` (at least `maxAttestationLifetime` after removal), then
    /// may be withdrawn; governance may approve it again from `removedAt + maxAttestationLifetime`.
    enum SignerStatus {
        None,
        Approved,
        Active,
        Removed
    }

    /// @notice One signer's signed batch and one of its leaves, with the leaf's inclusion proof: the
    /// evidence of what that signer said about one shard through a batch.
    /// @param batch The signed batch.
    /// @param signature The signer's signature over `batch`.
    /// @param verdict A leaf of the batch.
    /// @param proof Its inclusion proof (OpenZeppelin `MerkleProof`, commutative keccak pairs).
    struct VerdictEvidence {
        VerdictBatch batch;
        bytes signature;
        ShardVerdict verdict;
        bytes32[] proof;
    }

    /// @notice A signer's record.
    /// @param status Where the signer is in its life cycle.
    /// @param bondReleaseAt When a removed signer's bond may be withdrawn (0 while a member).
    /// @param removedAt When the signer was last removed (0 if never).
    /// @param bond The RGL bonded (0 before `postBond`, after a slash or a withdrawal).
    struct Signer {
        SignerStatus status;
        uint64 bondReleaseAt;
        uint64 removedAt;
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

    /// @notice A new threshold above the approved and active members: nothing could verify.
    /// @param threshold The rejected value.
    /// @param members The approved and active members (`memberCount()`).
    error CommitteeThresholdAboveMembers(uint256 threshold, uint256 members);

    /// @notice A reporter share above `MAX_REPORTER_REWARD_BPS`.
    /// @param bps The rejected value.
    error CommitteeInvalidBps(uint256 bps);

    /// @notice A bond below `MIN_BOND_AMOUNT`: equivocation would cost (almost) nothing.
    /// @param bondAmount The rejected value.
    /// @param minimum `MIN_BOND_AMOUNT`.
    error CommitteeBondTooSmall(uint256 bondAmount, uint256 minimum);

    /// @notice A `maxAttestationLifetime` outside [`MIN_ATTESTATION_LIFETIME`, `MAX_ATTESTATION_LIFETIME`].
    /// @param lifetime The rejected value, in seconds.
    error CommitteeInvalidAttestationLifetime(uint64 lifetime);

    /// @notice A `bondUnbondingPeriod` above `MAX_ATTESTATION_LIFETIME` (a longer one could overflow
    /// the release time and make removals, and so equivocation reports, revert).
    /// @param period The rejected value, in seconds.
    error CommitteeInvalidUnbondingPeriod(uint64 period);

    /// @notice The attestation's `expiry` (or `validUntil`) lies more than `maxAttestationLifetime`
    /// after now: no honest oracle signs it, and accepting it would let an old signature outlive
    /// its signer's membership.
    /// @param expiry The attestation's `expiry` or `validUntil`.
    /// @param latest The latest accepted now: `block.timestamp + maxAttestationLifetime`.
    error CommitteeAttestationTooLong(uint64 expiry, uint256 latest);

    /// @notice The removed signer cannot be approved again before `reapprovableAt`: attestations
    /// it signed before its removal may still be unexpired.
    /// @param signer The signer.
    /// @param reapprovableAt `removedAt + maxAttestationLifetime`.
    error CommitteeSignerCoolingDown(address signer, uint256 reapprovableAt);

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

    /// @notice The leaf is not in the batch (its proof does not lead to `verdictsRoot`).
    /// @param verdictsRoot The batch's root.
    /// @param leaf The leaf hash.
    error CommitteeLeafNotInBatch(bytes32 verdictsRoot, bytes32 leaf);

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

    /// @notice The longest accepted attestation lifetime changed.
    /// @param maxAttestationLifetime The new bound, in seconds.
    event MaxAttestationLifetimeSet(uint64 maxAttestationLifetime);

    /// @notice The most signers (approved or active) the committee holds; bounds every loop.
    /// @return The limit.
    function MAX_SIGNERS() external view returns (uint256);

    /// @notice The highest reporter share, in basis points (10 %): what a sock-puppet reporter of
    /// its own signer's equivocation recovers at most (PROTOCOL §7.1).
    /// @return Basis points.
    function MAX_REPORTER_REWARD_BPS() external view returns (uint16);

    /// @notice The smallest bond governance may ask for (1 RGL); the production value is set by
    /// governance (docs/DEPLOYMENT.md).
    /// @return The amount, in token units.
    function MIN_BOND_AMOUNT() external view returns (uint256);

    /// @notice The smallest `maxAttestationLifetime` (1 hour).
    /// @return Seconds.
    function MIN_ATTESTATION_LIFETIME() external view returns (uint64);

    /// @notice The largest `maxAttestationLifetime` (90 days).
    /// @return Seconds.
    function MAX_ATTESTATION_LIFETIME() external view returns (uint64);

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

    /// @notice How long a removed signer's bond stays slashable before it can be withdrawn, at
    /// least (the lock is `max(bondUnbondingPeriod, maxAttestationLifetime)` from the removal).
    /// @return Seconds.
    function bondUnbondingPeriod() external view returns (uint64);

    /// @notice The longest lifetime of an attestation: verification refuses one whose `expiry`
    /// (`validUntil`) is more than this after now, a removed signer's bond stays locked and
    /// slashable at least this long, and it cannot be approved again before this long after its
    /// removal (PROTOCOL §7.2). Must cover the oracles' capacity validity and the market's verify
    /// window; 7 days by default.
    /// @return Seconds.
    function maxAttestationLifetime() external view returns (uint64);

    /// @notice A signer's record.
    /// @param signer The signer.
    /// @return The record.
    function signerInfo(address signer) external view returns (Signer memory);

    /// @notice Whether `signer` is active (bonded, not removed).
    /// @param signer The signer.
    /// @return True when active.
    function isActiveSigner(address signer) external view returns (bool);

    /// @notice Appoint a signer. Governance only (`DEFAULT_ADMIN_ROLE`, the timelock).
    /// @param signer The signer's address; must be unknown, or removed with no bond left and at
    /// least `maxAttestationLifetime` ago (`CommitteeSignerCoolingDown`).
    function approveSigner(address signer) external;

    /// @notice Post the bond (`bondAmount` RGL, pulled from the caller) and become active.
    /// Only an approved signer, for itself.
    function postBond() external;

    /// @notice Remove a signer (approved or active). Governance only. The bond stays slashable for
    /// `max(bondUnbondingPeriod, maxAttestationLifetime)`. Removal may leave fewer members than the
    /// threshold: verification then fails closed until governance adds members or lowers the
    /// threshold (PROTOCOL §7.3).
    /// @param signer The signer.
    function removeSigner(address signer) external;

    /// @notice Withdraw the bond of a removed signer after its release time. Only the signer.
    function withdrawBond() external;

    /// @notice Set the threshold: at least 1, at most `memberCount()` (approved and active
    /// members; `CommitteeThresholdAboveMembers`). Governance only.
    /// @param newThreshold The threshold.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Set the bond new signers post (at least `MIN_BOND_AMOUNT`). Governance only;
    /// existing bonds are unchanged.
    /// @param newBondAmount The amount.
    function setBondAmount(uint256 newBondAmount) external;

    /// @notice Set the reporter's share of a slashed bond. Governance only.
    /// @param newReporterRewardBps Basis points (0..MAX_REPORTER_REWARD_BPS).
    function setReporterRewardBps(uint16 newReporterRewardBps) external;

    /// @notice Set how long a removed signer's bond stays slashable (at least; see
    /// `maxAttestationLifetime`), at most MAX_ATTESTATION_LIFETIME. Governance only. Applies to
    /// later removals.
    /// @param newPeriod Seconds.
    function setBondUnbondingPeriod(uint64 newPeriod) external;

    /// @notice Set the longest attestation lifetime (MIN_ATTESTATION_LIFETIME..MAX_ATTESTATION_LIFETIME).
    /// Governance only. Bond locks already running keep their release time.
    /// @dev Warning: it must stay at or above the oracles' signing horizon (capacity `validitySeconds`,
    /// the market's `verifyWindow`); below it, the oracles' attestations fail verification until
    /// close to their expiry, and a removed signer could be approved again while one it signed
    /// before its removal is still unexpired.
    /// @param newLifetime Seconds.
    function setMaxAttestationLifetime(uint64 newLifetime) external;

    /// @notice Report that one signer signed two shard attestations for the same (market, jobId,
    /// shard) with different content (operator, resultRoot, verdict or units; `expiry` alone may
    /// differ, a re-signature is not an equivocation). Slashes the signer's whole bond, pays the
    /// reporter `reporterRewardBps` of it (nothing when the reporter is the signer itself), burns the
    /// rest and removes the signer. Anyone may call.
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

    /// @notice Report that one signer signed, through two verdict batches, two verdicts for the same
    /// (market, jobId, shard) with different content (operator, resultRoot, verdict or units). Each
    /// leaf must be proven in its batch. Consequences as `reportShardEquivocation`. Anyone may call.
    /// @param a The first evidence.
    /// @param b The second evidence.
    function reportVerdictEquivocation(VerdictEvidence calldata a, VerdictEvidence calldata b) external;

    /// @notice Report that one signer signed a shard attestation and a batch leaf for the same
    /// (market, jobId, shard) with different content: signing both forms cannot dodge the slash.
    /// Consequences as `reportShardEquivocation`. Anyone may call.
    /// @param a The single attestation.
    /// @param sigA The signer's signature over `a`.
    /// @param b The batch evidence.
    function reportMixedEquivocation(
        ShardAttestation calldata a,
        bytes calldata sigA,
        VerdictEvidence calldata b
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
