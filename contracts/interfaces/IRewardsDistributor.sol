// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICapacityListener} from "./ICapacityListener.sol";

/// @title IRewardsDistributor
/// @notice Emits RGL per epoch, geometrically decaying, to operators by work points (from paid
/// shards) and availability points (from capacity attestations); splits each operator's share
/// between its commission, its self-stake and its delegation pool.
/// @dev Warning: mints through ComputeToken's MINTER_ROLE and never above the cap. An epoch is
/// split by OperatorStaking's reward base of that epoch (the minimum stake, pool and commission
/// over it; PROTOCOL §10.3), which staking keeps exact by settling the past epoch before changes.
interface IRewardsDistributor is ICapacityListener {
    /// @notice An operator's unsettled epoch (at most one).
    struct OperatorEpoch {
        uint64 epoch;
        uint128 workPoints;
        uint128 availabilityPoints;
    }

    /// @notice Totals of one epoch.
    struct EpochTotals {
        uint256 emission;
        uint256 workPoints;
        uint256 availabilityPoints;
        uint256 minted;
    }

    /// @notice What a token holder sees of an operator.
    struct OperatorStats {
        uint256 selfStake;
        uint256 delegatedStake;
        uint16 commissionBps;
        uint256 earned;
        uint256 claimable;
        uint64 jobsDone;
        uint64 opsPerSec;
        uint32 vramMiB;
        uint64 capacityValidUntil;
        /// Settled operator part (commission + self share) not vested yet, outside `claimable`.
        uint256 vesting;
        /// When the last of `vesting` vests (0 when nothing vests).
        uint64 vestedBy;
    }

    /// @notice Operator parts (commission + self share) of settled epochs that vest at `vestsAt`.
    struct VestingSlot {
        uint192 amount;
        uint64 vestsAt;
    }

    /// @notice The emission schedule's constants.
    struct Schedule {
        uint64 genesis;
        uint64 epochLength;
        uint256 initialEmission;
        uint16 decayBps;
        uint16 workShareBps;
        uint16 workRewardCapBps;
    }

    /// @notice Caller is not the staking contract.
    error RewardsNotStaking(address caller);
    /// @notice A parameter outside its range.
    error RewardsBadParam(bytes32 name, uint256 value);
    /// @notice The zero address where one is needed.
    error RewardsZeroAddress();
    /// @notice Nothing to claim.
    error RewardsNothingToClaim(address operator);

    /// @notice Work points credited for a paid shard.
    event WorkCredited(
        address indexed operator,
        uint64 indexed epoch,
        uint256 indexed jobId,
        uint32 shard,
        uint256 points
    );
    /// @notice Work points of `shards` shards of one settlement batch credited at once.
    event WorkBatchCredited(address indexed operator, uint64 indexed epoch, uint32 shards, uint256 points);
    /// @notice Availability points credited: the rise of the epoch's best attested throughput.
    event AvailabilityCredited(
        address indexed operator,
        uint64 indexed epoch,
        bytes32 indexed challengeId,
        uint256 points
    );
    /// @notice A capacity record earned no availability points. Reasons: 1 jailed, 2 self-stake
    /// below `minAvailabilityStake` (at the record, or as the epoch's minimum at settlement, then
    /// with a zero `challengeId`), 3 slashed in this epoch, 4 not above the epoch's best record, 5
    /// issued in an earlier epoch (issue time `validUntil − capacityValidity` before this epoch).
    event AvailabilityNotCredited(
        address indexed operator,
        uint64 indexed epoch,
        bytes32 indexed challengeId,
        uint8 reason
    );
    /// @notice A slash forfeited the operator's points of `epoch` (never minted), or a work credit
    /// arrived in the epoch of a slash.
    event RewardsForfeited(
        address indexed operator,
        uint64 indexed epoch,
        uint256 workPoints,
        uint256 availabilityPoints
    );
    /// @notice The operator was slashed: no credit counts for it for the rest of `epoch`.
    event CreditsSuspended(address indexed operator, uint64 indexed epoch);
    /// @notice The self-stake needed for availability points changed.
    event MinAvailabilityStakeSet(uint256 minimum);
    /// @notice An operator's past epoch was settled: `reward` minted, split three ways.
    event EpochSettled(
        address indexed operator,
        uint64 indexed epoch,
        uint256 workPoints,
        uint256 availabilityPoints,
        uint256 reward,
        uint256 commission,
        uint256 selfShare,
        uint256 poolShare
    );
    /// @notice The operator part (commission + self share) of `epoch` was settled and vests at
    /// `vestsAt` (claimable from then on unless a slash comes first).
    event RewardsVesting(address indexed operator, uint64 indexed epoch, uint256 amount, uint64 vestsAt);
    /// @notice Vested operator parts moved into the claimable balance.
    event RewardsVested(address indexed operator, uint256 amount);
    /// @notice A slash forfeited every unvested operator part of `operator`: `amount` RGL burned.
    event VestingForfeited(address indexed operator, uint256 amount);
    /// @notice The vesting delay of operator parts changed.
    event RewardVestingDelaySet(uint64 delay);
    /// @notice An operator claimed its rewards.
    event RewardsClaimed(address indexed operator, address indexed to, uint256 amount);
    /// @notice The work-reward cap changed.
    event WorkRewardCapSet(uint16 workRewardCapBps);

    /// @notice Role allowed to credit work points (the JobMarket).
    /// @return The role id.
    function MARKET_ROLE() external view returns (bytes32);

    /// @notice Role allowed to set the work-reward cap (the timelock).
    /// @return The role id.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice Credit work points to `operator` in the current epoch. Only the market.
    /// @param operator The operator.
    /// @param points Points (the fee paid, in RGL wei).
    /// @param jobId The job, for the event.
    /// @param shard The shard, for the event.
    function creditWork(address operator, uint256 points, uint256 jobId, uint32 shard) external;

    /// @notice Credit the work points of `shards` paid shards of one settlement batch to `operator`
    /// in the current epoch, at once (PROTOCOL §20.4). Only the market.
    /// @param operator The operator.
    /// @param points The sum of the shards' points (fees paid, in RGL wei).
    /// @param shards How many shards the points are for (counted in `operatorStats().jobsDone`).
    function creditWorkBatch(address operator, uint256 points, uint32 shards) external;

    /// @notice Settle the operator's past epoch if it has one (anyone may poke it).
    /// @param operator The operator.
    function settleOperator(address operator) external;

    /// @notice Settle and pay the caller's claimable rewards: its vested commission and self-stake
    /// share (PROTOCOL §10.9).
    /// @param to The recipient.
    /// @return amount RGL paid.
    function claim(address to) external returns (uint256 amount);

    /// @notice Set the self-stake an operator needs (at the record and as the epoch's minimum) for
    /// availability points. Only the governor.
    /// @param minimum RGL.
    function setMinAvailabilityStake(uint256 minimum) external;

    /// @notice Set how long after the end of an epoch its operator part (commission + self share)
    /// vests; a deployment sets it at least the JobMarket's `verifyWindow`, so every shard
    /// submitted in an epoch is judged (and a cheater slashed) before that epoch's part vests.
    /// Only the governor; at most 30 days.
    /// @param delay Seconds.
    function setRewardVestingDelay(uint64 delay) external;

    /// @notice The vesting delay of operator parts (0 until governance sets it: no vesting).
    /// @return Seconds.
    function rewardVestingDelay() external view returns (uint64);

    /// @notice The operator's settled (or settleable) parts that have not vested yet.
    /// @param operator The operator.
    /// @return amount RGL, outside `claimableRewards`.
    /// @return vestedBy When the last of it vests (0 when nothing vests).
    function vestingRewards(address operator) external view returns (uint256 amount, uint64 vestedBy);

    /// @notice The self-stake needed for availability points (default 100 RGL).
    /// @return RGL.
    function minAvailabilityStake() external view returns (uint256);

    /// @notice Set the most reward one work point may earn, in basis points of a point (< 10000).
    /// @param workRewardCapBps The cap.
    function setWorkRewardCap(uint16 workRewardCapBps) external;

    /// @notice The current epoch.
    /// @return The epoch number (from 0 at genesis).
    function currentEpoch() external view returns (uint64);

    /// @notice The scheduled emission of `epoch`: `initialEmission × (1 − decayBps/10000)^epoch`.
    /// @param epoch The epoch.
    /// @return RGL.
    function emissionOf(uint64 epoch) external view returns (uint256);

    /// @notice The totals of `epoch`.
    /// @param epoch The epoch.
    /// @return The totals.
    function epochTotals(uint64 epoch) external view returns (EpochTotals memory);

    /// @notice The operator's unsettled epoch.
    /// @param operator The operator.
    /// @return The record.
    function operatorEpoch(address operator) external view returns (OperatorEpoch memory);

    /// @notice The operator's share of its unsettled epoch at current totals (before the split).
    /// @param operator The operator.
    /// @return RGL.
    function pendingRewards(address operator) external view returns (uint256);

    /// @notice What `claim` would pay the operator now: vested parts (settled, or of a past
    /// unsettled epoch whose vesting time has passed); unvested parts are in `vestingRewards`.
    /// @param operator The operator.
    /// @return RGL.
    function claimableRewards(address operator) external view returns (uint256);

    /// @notice Operator statistics for token holders.
    /// @param operator The operator.
    /// @return The stats.
    function operatorStats(address operator) external view returns (OperatorStats memory);

    /// @notice A delegation's current value in RGL (its pool shares at the current share price),
    /// read from OperatorStaking.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @return value RGL.
    /// @return claimable The part above the delegation's principal (claimable at once in staking).
    /// @return pending RGL delegated in the current epoch, not in the pool yet (outside `value`).
    function delegationValue(
        address operator,
        address delegator
    ) external view returns (uint256 value, uint256 claimable, uint256 pending);

    /// @notice The emission schedule.
    /// @return The schedule.
    function schedule() external view returns (Schedule memory);

    /// @notice Total RGL minted as rewards so far.
    /// @return RGL.
    function totalMinted() external view returns (uint256);
}
