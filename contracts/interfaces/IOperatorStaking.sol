// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracleCommittee} from "./IOracleCommittee.sol";
import {IStakingHooks} from "./IStakingHooks.sol";

/// @title IOperatorStaking
/// @notice Operator registration and self-stake, delegation through pool shares, commission with a
/// delay on increases, collateral for the JobMarket, slashing with jail, and the capacity record.
/// Everything is O(1): no function loops over operators, delegators or time.
/// @dev Warning: `MARKET_ROLE`, `SLASHER_ROLE` and `REWARDER_ROLE` are trusted (the JobMarket and the
/// RewardsDistributor): a slasher can take any operator's stake and its delegators' up to what is at
/// stake. Exits (withdrawStake, undelegate, withdrawDelegation, claimRewards) never pause.
interface IOperatorStaking is IStakingHooks {
    /// @notice Every figure of an operator, for operators, delegators and the app.
    struct OperatorView {
        bool registered;
        uint16 commissionBps;
        uint16 pendingCommissionBps;
        uint64 pendingCommissionAt;
        uint64 jailedUntil;
        uint64 selfThawEnd;
        uint256 selfStake;
        uint256 lockedStake;
        uint256 selfThawing;
        uint256 poolTokens;
        uint256 poolShares;
        uint256 thawTokens;
        uint256 thawShares;
        uint256 totalAtStake;
        uint256 pendingDelegated;
        uint64 pendingEpoch;
        uint32 poolGeneration;
    }

    /// @notice Every figure of one delegation.
    struct DelegationView {
        uint256 shares;
        uint256 principal;
        uint256 value;
        uint256 claimable;
        uint256 thawShares;
        uint256 thawValue;
        uint64 thawEnd;
        uint256 pendingTokens;
        uint64 pendingEpoch;
    }

    /// @notice The operator is not registered.
    /// @param operator The operator.
    error StakingNotRegistered(address operator);

    /// @notice The operator is registered already.
    /// @param operator The operator.
    error StakingAlreadyRegistered(address operator);

    /// @notice A zero amount where a positive one is needed.
    error StakingZeroAmount();

    /// @notice The operator's free self-stake is below what the call needs.
    /// @param operator The operator.
    /// @param free The free self-stake.
    /// @param needed The amount asked for.
    error StakingInsufficientFreeStake(address operator, uint256 free, uint256 needed);

    /// @notice A basis-point value above 10000.
    /// @param bps The rejected value.
    error StakingInvalidBps(uint256 bps);

    /// @notice A delegation below `minDelegation`.
    /// @param amount The amount.
    /// @param minimum The minimum.
    error StakingBelowMinDelegation(uint256 amount, uint256 minimum);

    /// @notice The call would mint, burn or pay nothing (a dust amount).
    error StakingDust();

    /// @notice More shares asked for than the delegation holds.
    /// @param available The delegation's shares.
    /// @param needed The shares asked for.
    error StakingInsufficientShares(uint256 available, uint256 needed);

    /// @notice Nothing is thawing.
    error StakingNothingThawing();

    /// @notice The thawing tokens are not withdrawable yet.
    /// @param thawEnd When they are.
    error StakingStillThawing(uint64 thawEnd);

    /// @notice The delegation's value is not above its principal.
    error StakingNothingToClaim();

    /// @notice The capacity challenge was recorded already.
    /// @param challengeId The challenge.
    error StakingChallengeUsed(bytes32 challengeId);

    /// @notice The capacity attestation has expired.
    /// @param validUntil Its expiry.
    error StakingCapacityExpired(uint64 validUntil);

    /// @notice The attestation is valid for longer than `capacityValidity` from now (not issued by
    /// an oracle that follows the chain's validity).
    /// @param validUntil Its expiry.
    /// @param maxValidUntil now + capacityValidity.
    error StakingCapacityValidityTooLong(uint64 validUntil, uint64 maxValidUntil);

    /// @notice The attestation was issued more than `capacityMaxAge` ago (hoarded).
    /// @param validUntil Its expiry.
    /// @param minValidUntil now + capacityValidity - capacityMaxAge.
    error StakingCapacityStale(uint64 validUntil, uint64 minValidUntil);

    /// @notice Both thaw slots hold tokens that are still thawing; withdraw one first.
    /// @param firstEnd The first slot's thaw end.
    /// @param secondEnd The second slot's thaw end.
    error StakingThawSlotsFull(uint64 firstEnd, uint64 secondEnd);

    /// @notice A zero address where a contract is needed.
    error StakingZeroAddress();

    /// @notice A governance period above `MAX_PERIOD`.
    /// @param period The rejected value.
    /// @param maximum The limit.
    error StakingPeriodTooLong(uint64 period, uint64 maximum);

    /// @notice An operator registered.
    /// @param operator The operator.
    /// @param metadataURI Agent endpoint, region and claimed GPUs.
    /// @param commissionBps The initial commission.
    event OperatorRegistered(address indexed operator, string metadataURI, uint16 commissionBps);

    /// @notice An operator changed its metadata.
    /// @param operator The operator.
    /// @param metadataURI The new URI.
    event MetadataUpdated(address indexed operator, string metadataURI);

    /// @notice The operator added self-stake.
    /// @param operator The operator.
    /// @param amount RGL added.
    /// @param selfStake The active self-stake after.
    event Staked(address indexed operator, uint256 amount, uint256 selfStake);

    /// @notice The operator moved self-stake to thawing.
    /// @param operator The operator.
    /// @param amount RGL moved.
    /// @param thawing Its thawing self-stake after.
    /// @param thawEnd When the thawing stake can be withdrawn.
    event UnstakeRequested(address indexed operator, uint256 amount, uint256 thawing, uint64 thawEnd);

    /// @notice The operator withdrew its thawed self-stake.
    /// @param operator The operator.
    /// @param amount RGL paid out.
    event StakeWithdrawn(address indexed operator, uint256 amount);

    /// @notice The commission changed now (a decrease, or at registration).
    /// @param operator The operator.
    /// @param commissionBps The commission in force.
    event CommissionSet(address indexed operator, uint16 commissionBps);

    /// @notice A commission increase was scheduled.
    /// @param operator The operator.
    /// @param commissionBps The new commission.
    /// @param effectiveAt When it takes effect.
    event CommissionIncreaseScheduled(address indexed operator, uint16 commissionBps, uint64 effectiveAt);

    /// @notice RGL was delegated.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param amount RGL delegated.
    /// @param shares Pool shares minted.
    event Delegated(address indexed operator, address indexed delegator, uint256 amount, uint256 shares);

    /// @notice Pool shares were moved to thawing.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param shares Pool shares burned.
    /// @param tokens Their value, now thawing.
    /// @param thawShares Thawing-pool shares minted.
    /// @param thawEnd When the delegation's thawing tokens can be withdrawn.
    event Undelegated(
        address indexed operator,
        address indexed delegator,
        uint256 shares,
        uint256 tokens,
        uint256 thawShares,
        uint64 thawEnd
    );

    /// @notice Thawed delegation was withdrawn.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param thawShares Thawing-pool shares burned.
    /// @param tokens RGL paid out.
    event DelegationWithdrawn(address indexed operator, address indexed delegator, uint256 thawShares, uint256 tokens);

    /// @notice A delegator claimed the value of its delegation above its principal.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param shares Pool shares burned.
    /// @param tokens RGL paid out.
    event RewardsClaimed(address indexed operator, address indexed delegator, uint256 shares, uint256 tokens);

    /// @notice Collateral was locked.
    /// @param operator The operator.
    /// @param amount RGL locked.
    /// @param locked The operator's locked stake after.
    event CollateralLocked(address indexed operator, uint256 amount, uint256 locked);

    /// @notice Collateral was unlocked.
    /// @param operator The operator.
    /// @param amount RGL unlocked (capped at what was locked).
    /// @param locked The operator's locked stake after.
    event CollateralUnlocked(address indexed operator, uint256 amount, uint256 locked);

    /// @notice The operator was slashed and jailed.
    /// @param operator The operator.
    /// @param fromSelf Taken from the operator's own stake (active and thawing).
    /// @param fromPool Taken from the delegation pool (active and thawing).
    /// @param recipient Who received `toRecipient`.
    /// @param toRecipient Paid to the recipient.
    /// @param burned Burned.
    /// @param jailedUntil The end of the jail.
    event Slashed(
        address indexed operator,
        uint256 fromSelf,
        uint256 fromPool,
        address indexed recipient,
        uint256 toRecipient,
        uint256 burned,
        uint64 jailedUntil
    );

    /// @notice Rewards were added to the delegation pool.
    /// @param operator The operator.
    /// @param amount RGL added.
    /// @param poolTokens The pool's tokens after.
    event PoolRewardsAdded(address indexed operator, uint256 amount, uint256 poolTokens);

    /// @notice Pool rewards arrived while the pool had no shares; they went to the self-stake.
    /// @param operator The operator.
    /// @param amount RGL added to the self-stake.
    event PoolRewardsToSelfStake(address indexed operator, uint256 amount);

    /// @notice A capacity attestation was recorded.
    /// @param operator The operator.
    /// @param challengeId The challenge passed.
    /// @param opsPerSec Attested throughput.
    /// @param vramMiB Attested VRAM.
    /// @param gpuModel Attested GPU model.
    /// @param validUntil Expiry of the record.
    event CapacityRecorded(
        address indexed operator,
        bytes32 indexed challengeId,
        uint64 opsPerSec,
        uint32 vramMiB,
        bytes32 gpuModel,
        uint64 validUntil
    );

    /// @notice Delegations pending from `epoch` joined the active pool at the share price of now.
    /// @param operator The operator.
    /// @param epoch The epoch they were made in.
    /// @param tokens RGL that joined.
    /// @param shares Pool shares minted for them (shared out to each delegation at its next touch).
    event PendingDelegationsJoined(address indexed operator, uint64 indexed epoch, uint256 tokens, uint256 shares);

    /// @notice A delegation's pending tokens became pool shares.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param tokens RGL that joined.
    /// @param shares Pool shares credited.
    event DelegationActivated(address indexed operator, address indexed delegator, uint256 tokens, uint256 shares);

    /// @notice A slash took every token of a pool that still had shares: the shares were voided and
    /// a new generation of the pool starts at the initial share price.
    /// @param operator The operator.
    /// @param thawPool True for the thawing pool, false for the active pool.
    /// @param generation The new generation.
    /// @param voidedShares The shares voided.
    event PoolWiped(address indexed operator, bool thawPool, uint32 generation, uint256 voidedShares);

    /// @notice A delegation's shares of a wiped pool generation were cleared at its next touch.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @param shares Active shares cleared.
    /// @param thawShares Thawing shares cleared.
    event DelegationWiped(address indexed operator, address indexed delegator, uint256 shares, uint256 thawShares);

    /// @notice The epoch clock was read from a new capacity listener.
    /// @param genesis Start of epoch 0.
    /// @param epochLength Seconds per epoch (0: no epochs).
    event EpochClockSet(uint64 genesis, uint64 epochLength);

    /// @notice A governance parameter changed.
    /// @param capacityValidity The new value, in seconds.
    event CapacityValiditySet(uint64 capacityValidity);

    /// @notice A governance parameter changed.
    /// @param capacityMaxAge The new value, in seconds.
    event CapacityMaxAgeSet(uint64 capacityMaxAge);

    /// @notice A governance parameter changed.
    /// @param unbondingPeriod The new value, in seconds.
    event UnbondingPeriodSet(uint64 unbondingPeriod);

    /// @notice A governance parameter changed.
    /// @param jailPeriod The new value, in seconds.
    event JailPeriodSet(uint64 jailPeriod);

    /// @notice A governance parameter changed.
    /// @param commissionDelay The new value, in seconds.
    event CommissionDelaySet(uint64 commissionDelay);

    /// @notice A governance parameter changed.
    /// @param minDelegation The new value, in RGL.
    event MinDelegationSet(uint256 minDelegation);

    /// @notice The contract told about each recorded capacity changed (zero: none).
    /// @param listener The new listener.
    event CapacityListenerSet(address listener);

    /// @notice The committee that verifies capacity attestations changed.
    /// @param committee The new committee.
    event CommitteeSet(address committee);

    /// @notice The role that locks and unlocks collateral (the JobMarket).
    /// @return keccak256("MARKET_ROLE").
    function MARKET_ROLE() external view returns (bytes32);

    /// @notice The role that slashes (the JobMarket).
    /// @return keccak256("SLASHER_ROLE").
    function SLASHER_ROLE() external view returns (bytes32);

    /// @notice The role that adds pool rewards (the RewardsDistributor).
    /// @return keccak256("REWARDER_ROLE").
    function REWARDER_ROLE() external view returns (bytes32);

    /// @notice The role that pauses and unpauses entry.
    /// @return keccak256("PAUSER_ROLE").
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice The longest unbonding, jail or commission delay governance may set.
    /// @return Seconds.
    function MAX_PERIOD() external view returns (uint64);

    /// @notice The staked token (RGL).
    /// @return The token.
    function token() external view returns (address);

    /// @notice The committee that verifies capacity attestations.
    /// @return The committee.
    function committee() external view returns (address);

    /// @notice The contract told about each recorded capacity (zero: none).
    /// @return The listener.
    function capacityListener() external view returns (address);

    /// @notice How long unstaked and undelegated tokens thaw.
    /// @return Seconds.
    function unbondingPeriod() external view returns (uint64);

    /// @notice How long a slashed operator stays jailed.
    /// @return Seconds.
    function jailPeriod() external view returns (uint64);

    /// @notice How long a commission increase waits before it takes effect.
    /// @return Seconds.
    function commissionDelay() external view returns (uint64);

    /// @notice The smallest delegation accepted.
    /// @return RGL.
    function minDelegation() external view returns (uint256);

    /// @notice The oldest issue time a recorded attestation may have, in seconds before now.
    /// @return Seconds.
    function capacityMaxAge() external view returns (uint64);

    /// @notice The reward epoch now, by the clock read from the capacity listener (0 without one).
    /// @return The epoch.
    function currentEpoch() external view returns (uint64);

    /// @notice Whether a capacity challenge was recorded already.
    /// @param challengeId The challenge.
    /// @return True when used.
    function isChallengeUsed(bytes32 challengeId) external view returns (bool);

    /// @notice The operator's metadata URI.
    /// @param operator The operator.
    /// @return The URI.
    function metadataURI(address operator) external view returns (string memory);

    /// @notice Every figure of an operator.
    /// @param operator The operator.
    /// @return The figures.
    function operatorInfo(address operator) external view returns (OperatorView memory);

    /// @notice Every figure of one delegation.
    /// @param operator The operator.
    /// @param delegator The delegator.
    /// @return The figures.
    function delegationInfo(address operator, address delegator) external view returns (DelegationView memory);

    /// @notice Register the caller as an operator. Entry: not while paused.
    /// @param uri Metadata URI (agent endpoint, region, claimed GPUs).
    /// @param commissionBps The initial commission (in force at once: there are no delegators yet).
    function register(string calldata uri, uint16 commissionBps) external;

    /// @notice Change the caller's metadata URI.
    /// @param uri The new URI.
    function updateMetadata(string calldata uri) external;

    /// @notice Add `amount` RGL (pulled from the caller) to the caller's self-stake. Entry.
    /// @param amount RGL.
    function stake(uint256 amount) external;

    /// @notice Move `amount` of free self-stake to a free thaw slot (two per operator) that thaws
    /// until now + unbondingPeriod; stake already thawing keeps its own clock. Thawing stake stays
    /// slashable. Reverts `StakingThawSlotsFull` when both slots are still thawing.
    /// @param amount RGL, at most `freeStake(caller)`.
    function requestUnstake(uint256 amount) external;

    /// @notice Withdraw the caller's thawed self-stake (every slot whose thaw end has passed, what
    /// is left of it after slashes).
    function withdrawStake() external;

    /// @notice Set the caller's commission: a decrease applies now (and cancels a scheduled
    /// increase); an increase applies after `commissionDelay`.
    /// @param newCommissionBps Basis points (0..10000).
    function setCommission(uint16 newCommissionBps) external;

    /// @notice Delegate `amount` RGL (pulled from the caller) to `operator`'s pool. Entry. With a
    /// reward clock the tokens are pending until the current epoch ends: they earn nothing and
    /// cannot be slashed, then join the pool at the share price of their first touch after it.
    /// @param operator A registered operator.
    /// @param amount RGL, at least `minDelegation`.
    function delegate(address operator, uint256 amount) external;

    /// @notice Move `shares` of the caller's delegation to a free thaw slot (two per delegation)
    /// that thaws until now + unbondingPeriod; earlier undelegations keep their own clock. Thawing
    /// tokens stay slashable and earn nothing.
    /// @param operator The operator.
    /// @param shares Pool shares to undelegate.
    function undelegate(address operator, uint256 shares) external;

    /// @notice Withdraw the caller's thawed delegation: every slot whose thaw end has passed (its
    /// value after slashes).
    /// @param operator The operator.
    function withdrawDelegation(address operator) external;

    /// @notice Pay the caller the value of its delegation above its principal, at once, burning
    /// the shares it is worth (rewards need no thawing).
    /// @param operator The operator.
    function claimRewards(address operator) external;

    /// @notice Record a capacity attestation verified by the committee; then tell the listener.
    /// Anyone may call.
    /// @param attestation The attestation (operator registered, challengeId unused, not expired,
    /// `validUntil` at most `capacityValidity` from now and issued at most `capacityMaxAge` ago).
    /// @param signatures A committee quorum over it.
    function recordCapacity(
        IOracleCommittee.CapacityAttestation calldata attestation,
        bytes[] calldata signatures
    ) external;

    /// @notice Set how long unstaked and undelegated tokens thaw. Governance only.
    /// @param newPeriod Seconds (at most MAX_PERIOD).
    function setUnbondingPeriod(uint64 newPeriod) external;

    /// @notice Set how long a slashed operator stays jailed. Governance only.
    /// @param newPeriod Seconds (at most MAX_PERIOD).
    function setJailPeriod(uint64 newPeriod) external;

    /// @notice Set how long a commission increase waits. Governance only.
    /// @param newDelay Seconds (at most MAX_PERIOD).
    function setCommissionDelay(uint64 newDelay) external;

    /// @notice Set the smallest delegation. Governance only.
    /// @param newMinimum RGL.
    function setMinDelegation(uint256 newMinimum) external;

    /// @notice Set how long an attestation is valid after its issue. Governance only.
    /// @param newValidity Seconds (at most MAX_PERIOD).
    function setCapacityValidity(uint64 newValidity) external;

    /// @notice Set the oldest issue time accepted, in seconds before now. Governance only.
    /// @param newMaxAge Seconds (at most MAX_PERIOD).
    function setCapacityMaxAge(uint64 newMaxAge) external;

    /// @notice Set the capacity listener (zero: none) and read its epoch clock. Governance only.
    /// @param listener The listener.
    function setCapacityListener(address listener) external;

    /// @notice Set the committee. Governance only.
    /// @param newCommittee The committee.
    function setCommittee(address newCommittee) external;

    /// @notice Stop entry: register, stake, delegate. Only `PAUSER_ROLE`.
    function pause() external;

    /// @notice Resume entry. Only `PAUSER_ROLE`.
    function unpause() external;
}
