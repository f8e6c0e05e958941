// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingHooks
/// @notice What the JobMarket and the RewardsDistributor need from OperatorStaking. The full
/// IOperatorStaking (PROTOCOL §6) extends this with registration, staking and delegation.
interface IStakingHooks {
    /// @notice The capacity record of an operator, written only from a valid CapacityAttestation.
    struct Capacity {
        uint64 opsPerSec;
        uint32 vramMiB;
        bytes32 gpuModel;
        uint64 validUntil;
    }

    /// @notice What the market checks before an operator takes a shard, read in one call
    /// (`isRegistered`, `jailedUntil`, `capacityOf` without the GPU model, `freeStake`).
    struct Eligibility {
        bool registered;
        uint64 jailedUntil;
        uint64 opsPerSec;
        uint32 vramMiB;
        uint64 capacityValidUntil;
        uint256 freeStake;
    }

    /// @notice What an operator's reward of one epoch is split by: the minimum over the epoch of
    /// its self-stake, of its active delegation pool and of its commission (PROTOCOL §10.3).
    struct RewardBase {
        uint256 selfStake;
        uint256 delegatedStake;
        uint16 commissionBps;
    }

    /// @notice Whether `operator` is registered.
    /// @param operator The operator.
    /// @return True when registered.
    function isRegistered(address operator) external view returns (bool);

    /// @notice Until when `operator` is jailed (0 or a past time: not jailed).
    /// @param operator The operator.
    /// @return A unix time.
    function jailedUntil(address operator) external view returns (uint64);

    /// @notice The operator's self-stake that is neither locked as collateral nor thawing.
    /// @param operator The operator.
    /// @return Free RGL.
    function freeStake(address operator) external view returns (uint256);

    /// @notice The operator's active self-stake (locked included, thawing excluded).
    /// @param operator The operator.
    /// @return RGL.
    function selfStake(address operator) external view returns (uint256);

    /// @notice The RGL in the operator's delegation pool (thawing delegations excluded).
    /// @param operator The operator.
    /// @return RGL.
    function delegatedStake(address operator) external view returns (uint256);

    /// @notice The operator's commission on rewards, in basis points, in force now.
    /// @param operator The operator.
    /// @return Basis points (0..10000).
    function commissionBps(address operator) external view returns (uint16);

    /// @notice How long a capacity attestation is valid after it was issued; an oracle sets
    /// `validUntil = issueTime + capacityValidity` (PROTOCOL §13.2), so a record's issue time is
    /// `validUntil − capacityValidity` (the RewardsDistributor credits it only in its issue epoch).
    /// @return Seconds.
    function capacityValidity() external view returns (uint64);

    /// @notice The operator's capacity record.
    /// @param operator The operator.
    /// @return The record (all zero when none).
    function capacityOf(address operator) external view returns (Capacity memory);

    /// @notice Everything the market checks before `operator` takes a shard, in one call.
    /// @param operator The operator.
    /// @return e Registration, jail end, capacity (ops/s, VRAM, validity) and free self-stake.
    function eligibilityOf(address operator) external view returns (Eligibility memory e);

    /// @notice Lock `amount` of the operator's free self-stake as collateral. Only the market role.
    /// @param operator The operator.
    /// @param amount RGL to lock; reverts when above `freeStake(operator)`.
    function lockCollateral(address operator, uint256 amount) external;

    /// @notice Unlock collateral previously locked. Only the market role.
    /// @param operator The operator.
    /// @param amount RGL to unlock.
    function unlockCollateral(address operator, uint256 amount) external;

    /// @notice Slash the operator (PROTOCOL §6.4): release `lockedToRelease` of collateral, then
    /// take the free self-stake, then the thawing self-stake, then the rest of the locked
    /// self-stake, then the delegation pool's active tokens, then its thawing tokens. Delegations
    /// still pending (made in the current epoch) are not taken. Jails the operator and forfeits
    /// its rewards of the open and current epoch (§10.8). Only the slasher role.
    /// @param operator The operator.
    /// @param amount RGL to slash (capped at what the operator has at stake).
    /// @param lockedToRelease Collateral of this operator that the slash releases (unlocked first).
    /// @param recipient Receives `recipientAmount` of what was slashed; the rest is burned.
    /// @param recipientBps Share of the slashed amount paid to `recipient`, in basis points.
    /// @return slashed The RGL actually slashed.
    function slash(
        address operator,
        uint256 amount,
        uint256 lockedToRelease,
        address recipient,
        uint16 recipientBps
    ) external returns (uint256 slashed);

    /// @notice The operator's reward base of `epoch`: the minimum over that epoch of its self-stake,
    /// its active delegated stake and its commission. Exact for the epoch being settled (staking
    /// settles the past open epoch before any change); for a later epoch it is the figure so far.
    /// @param operator The operator.
    /// @param epoch The epoch.
    /// @return The base.
    function rewardBase(address operator, uint64 epoch) external view returns (RewardBase memory);

    /// @notice Add `amount` RGL of rewards of `epoch` to the operator's delegation pool, raising its
    /// share price. Delegations pending from before `epoch` join the pool first (they were in it
    /// during `epoch`). Pulls the RGL from the caller. Only the rewarder role.
    /// @param operator The operator.
    /// @param amount RGL.
    /// @param epoch The epoch the rewards were earned in.
    function addPoolRewards(address operator, uint256 amount, uint64 epoch) external;
}
