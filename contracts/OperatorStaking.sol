// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICapacityListener} from "./interfaces/ICapacityListener.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IOperatorStaking} from "./interfaces/IOperatorStaking.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
import {SlashWaterfall} from "./libraries/SlashWaterfall.sol";
import {SharesMath} from "./libraries/SharesMath.sol";

/// @title OperatorStaking
/// @notice Operator self-stake, delegation pools with shares, commission, collateral, slashing and
/// the capacity record. See docs/PROTOCOL.md §6 for the invariants.
contract OperatorStaking is IOperatorStaking, AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IComputeToken;

    /// @inheritdoc IOperatorStaking
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @inheritdoc IOperatorStaking
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @inheritdoc IOperatorStaking
    bytes32 public constant REWARDER_ROLE = keccak256("REWARDER_ROLE");
    /// @inheritdoc IOperatorStaking
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IOperatorStaking
    uint64 public constant MAX_PERIOD = 365 days;

    uint256 private constant _BPS = 10_000;

    /// @dev One operator. `selfStake` includes `locked` (both in one slot: the market's lock and
    /// unlock write a warm non-zero slot, never a fresh one; RGL's cap fits 128 bits); thawing
    /// amounts are outside both. The
    /// thawing self-stake sits in two slots: `selfThaw0` until `selfThawEnd0`, the rest of
    /// `selfThawing` until `selfThawEnd1`. `pendingTokens` are delegations of `pendingEpoch` that
    /// join the pool after it.
    struct OperatorState {
        bool registered;
        uint16 commissionBps;
        uint16 pendingCommissionBps;
        uint64 pendingCommissionAt;
        uint64 jailedUntil;
        uint32 poolGeneration;
        uint32 thawGeneration;
        uint64 selfThawEnd0;
        uint64 selfThawEnd1;
        uint64 pendingEpoch;
        uint128 selfStake;
        uint128 locked;
        uint256 selfThawing;
        uint256 selfThaw0;
        uint256 poolTokens;
        uint256 poolShares;
        uint256 thawTokens;
        uint256 thawShares;
        uint256 pendingTokens;
    }

    /// @dev One delegation: active pool shares of `generation`, the principal they stand for,
    /// two thaw slots of thawing-pool shares of `thawGeneration`, and tokens pending from
    /// `pendingEpoch`.
    struct DelegationState {
        uint256 shares;
        uint256 principal;
        uint256 thawShares0;
        uint256 thawShares1;
        uint256 pendingTokens;
        uint64 thawEnd0;
        uint64 thawEnd1;
        uint64 pendingEpoch;
        uint32 generation;
        uint32 thawGeneration;
    }

    /// @dev The minima of one epoch so far (`epochPlusOne` 0: none recorded yet), in one slot:
    /// RGL amounts fit 96 bits (the token's cap is 10^27 < 2^96 ≈ 7.9·10^28; SafeCast checks).
    struct BaseSnapshot {
        uint48 epochPlusOne;
        uint16 minCommission;
        uint96 minSelf;
        uint96 minDelegated;
    }

    /// @dev The pool's batch of pending delegations of one epoch, in one slot: `tokens` joined for
    /// `shares` of pool `generation` (shares ≤ tokens·10^6 at a fresh price: below 2^128).
    struct PoolEntry {
        uint96 tokens;
        uint32 generation;
        uint128 shares;
    }

    /// @dev The reward epochs, read from the capacity listener (`length` 0: none).
    struct EpochClock {
        uint64 genesis;
        uint64 length;
    }

    /// @dev How long an attestation is valid after its issue, and the oldest issue accepted.
    struct CapacityBounds {
        uint64 validity;
        uint64 maxAge;
    }

    IComputeToken private immutable _token;
    IOracleCommittee private _committee;
    ICapacityListener private _listener;
    uint64 private _unbondingPeriod;
    uint64 private _jailPeriod;
    uint64 private _commissionDelay;
    EpochClock private _clock;
    CapacityBounds private _capacityBounds = CapacityBounds({validity: 7 days, maxAge: 300});
    uint256 private _minDelegation;

    mapping(address operator => OperatorState) private _operators;
    mapping(address operator => string) private _metadata;
    mapping(address operator => mapping(address delegator => DelegationState)) private _delegations;
    mapping(address operator => Capacity) private _capacity;
    mapping(bytes32 challengeId => bool) private _usedChallenges;
    mapping(address operator => BaseSnapshot) private _base;
    mapping(address operator => mapping(uint64 epoch => PoolEntry)) private _entries;

    /// @param token_ The RGL token.
    /// @param committee_ The oracle committee.
    /// @param admin The account given `DEFAULT_ADMIN_ROLE` (the timelock in a deployment).
    /// @param unbondingPeriod_ Thaw time of unstaking and undelegating.
    /// @param jailPeriod_ Jail time after a slash.
    /// @param commissionDelay_ Wait before a commission increase applies.
    /// @param minDelegation_ The smallest delegation.
    constructor(
        IComputeToken token_,
        IOracleCommittee committee_,
        address admin,
        uint64 unbondingPeriod_,
        uint64 jailPeriod_,
        uint64 commissionDelay_,
        uint256 minDelegation_
    ) {
        if (address(token_) == address(0) || admin == address(0)) revert StakingZeroAddress();
        _token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setCommittee(address(committee_));
        _unbondingPeriod = _checkPeriod(unbondingPeriod_);
        _jailPeriod = _checkPeriod(jailPeriod_);
        _commissionDelay = _checkPeriod(commissionDelay_);
        _minDelegation = minDelegation_;
        emit UnbondingPeriodSet(unbondingPeriod_);
        emit JailPeriodSet(jailPeriod_);
        emit CommissionDelaySet(commissionDelay_);
        emit MinDelegationSet(minDelegation_);
    }

    // ================================================================ views

    /// @inheritdoc IOperatorStaking
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IOperatorStaking
    function committee() external view returns (address) {
        return address(_committee);
    }

    /// @inheritdoc IOperatorStaking
    function capacityListener() external view returns (address) {
        return address(_listener);
    }

    /// @inheritdoc IOperatorStaking
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    /// @inheritdoc IOperatorStaking
    function jailPeriod() external view returns (uint64) {
        return _jailPeriod;
    }

    /// @inheritdoc IOperatorStaking
    function commissionDelay() external view returns (uint64) {
        return _commissionDelay;
    }

    /// @inheritdoc IOperatorStaking
    function minDelegation() external view returns (uint256) {
        return _minDelegation;
    }

    /// @inheritdoc IStakingHooks
    function capacityValidity() external view returns (uint64) {
        return _capacityBounds.validity;
    }

    /// @inheritdoc IOperatorStaking
    function capacityMaxAge() external view returns (uint64) {
        return _capacityBounds.maxAge;
    }

    /// @inheritdoc IOperatorStaking
    function currentEpoch() public view returns (uint64) {
        uint64 length = _clock.length;
        if (length == 0 || block.timestamp <= _clock.genesis) return 0;
        return SafeCast.toUint64((block.timestamp - _clock.genesis) / length);
    }

    /// @inheritdoc IOperatorStaking
    function isChallengeUsed(bytes32 challengeId) external view returns (bool) {
        return _usedChallenges[challengeId];
    }

    /// @inheritdoc IOperatorStaking
    function metadataURI(address operator) external view returns (string memory) {
        return _metadata[operator];
    }

    /// @inheritdoc IStakingHooks
    function isRegistered(address operator) external view returns (bool) {
        return _operators[operator].registered;
    }

    /// @inheritdoc IStakingHooks
    function jailedUntil(address operator) external view returns (uint64) {
        return _operators[operator].jailedUntil;
    }

    /// @inheritdoc IStakingHooks
    function freeStake(address operator) public view returns (uint256) {
        OperatorState storage op = _operators[operator];
        return op.selfStake - op.locked;
    }

    /// @inheritdoc IStakingHooks
    function selfStake(address operator) external view returns (uint256) {
        return _operators[operator].selfStake;
    }

    /// @inheritdoc IStakingHooks
    /// @dev Pending delegations of a past epoch count: they are in the pool from its end.
    function delegatedStake(address operator) external view returns (uint256) {
        return _activeDelegated(_operators[operator], currentEpoch());
    }

    /// @inheritdoc IStakingHooks
    function commissionBps(address operator) public view returns (uint16) {
        return _commissionAt(_operators[operator], block.timestamp);
    }

    /// @inheritdoc IStakingHooks
    function capacityOf(address operator) external view returns (Capacity memory) {
        return _capacity[operator];
    }

    /// @inheritdoc IStakingHooks
    function eligibilityOf(address operator) external view returns (Eligibility memory) {
        OperatorState storage op = _operators[operator];
        Capacity storage c = _capacity[operator];
        return
            Eligibility({
                registered: op.registered,
                jailedUntil: op.jailedUntil,
                opsPerSec: c.opsPerSec,
                vramMiB: c.vramMiB,
                capacityValidUntil: c.validUntil,
                freeStake: op.selfStake - op.locked
            });
    }

    /// @inheritdoc IStakingHooks
    function rewardBase(address operator, uint64 epoch) external view returns (RewardBase memory b) {
        OperatorState storage op = _operators[operator];
        BaseSnapshot storage snap = _base[operator];
        if (snap.epochPlusOne != 0 && snap.epochPlusOne - 1 >= epoch) {
            // The epoch's minima (or, for an earlier epoch changed since, the latest minima).
            return RewardBase(snap.minSelf, snap.minDelegated, snap.minCommission);
        }
        // Nothing changed since before `epoch` started: today's figures held throughout.
        b.selfStake = op.selfStake;
        b.delegatedStake = _activeDelegated(op, epoch);
        b.commissionBps = _commissionAt(op, _epochStart(epoch));
    }

    /// @inheritdoc IOperatorStaking
    function operatorInfo(address operator) external view returns (OperatorView memory v) {
        OperatorState storage op = _operators[operator];
        v.registered = op.registered;
        v.commissionBps = commissionBps(operator);
        bool pending = op.pendingCommissionAt != 0 && block.timestamp < op.pendingCommissionAt;
        v.pendingCommissionBps = pending ? op.pendingCommissionBps : 0;
        v.pendingCommissionAt = pending ? op.pendingCommissionAt : 0;
        v.jailedUntil = op.jailedUntil;
        v.selfThawEnd = op.selfThaw0 == op.selfThawing ? op.selfThawEnd0 : op.selfThawEnd1;
        v.selfStake = op.selfStake;
        v.lockedStake = op.locked;
        v.selfThawing = op.selfThawing;
        uint256 joining = _joiningTokens(op, currentEpoch());
        v.poolTokens = op.poolTokens + joining;
        v.poolShares = op.poolShares + (joining == 0 ? 0 : _joiningShares(op, joining));
        v.thawTokens = op.thawTokens;
        v.thawShares = op.thawShares;
        v.totalAtStake = _atStake(op) + joining;
        v.pendingDelegated = op.pendingTokens - joining;
        v.pendingEpoch = op.pendingEpoch;
        v.poolGeneration = op.poolGeneration;
    }

    /// @inheritdoc IOperatorStaking
    /// @dev Shows the delegation as its next touch will see it: a past epoch's pending tokens at
    /// the pool's joining price, a wiped generation's shares as 0.
    function delegationInfo(address operator, address delegator) external view returns (DelegationView memory v) {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][delegator];
        uint64 epoch = currentEpoch();
        uint256 poolTokens = op.poolTokens;
        uint256 poolShares = op.poolShares;
        uint256 joining = _joiningTokens(op, epoch);
        if (joining != 0) {
            poolShares += _joiningShares(op, joining);
            poolTokens += joining;
        }
        uint32 generation = d.generation;
        v.shares = d.shares;
        v.principal = d.principal;
        if (d.pendingTokens != 0 && _isPast(d.pendingEpoch, epoch)) {
            (uint256 tokens, uint256 shares, uint32 entryGeneration) = _entryOf(op, operator, d.pendingEpoch, joining);
            if (entryGeneration != generation) (v.shares, v.principal) = (0, 0);
            v.shares += Math.mulDiv(d.pendingTokens, shares, tokens);
            v.principal += d.pendingTokens;
            generation = entryGeneration;
        } else {
            v.pendingTokens = d.pendingTokens;
            v.pendingEpoch = d.pendingTokens == 0 ? 0 : d.pendingEpoch;
        }
        if (generation != op.poolGeneration) (v.shares, v.principal) = (0, 0);
        v.value = SharesMath.toTokensDown(v.shares, poolTokens, poolShares);
        v.claimable = v.value > v.principal ? v.value - v.principal : 0;
        if (d.thawGeneration == op.thawGeneration) {
            v.thawShares = d.thawShares0 + d.thawShares1;
            v.thawValue = SharesMath.toTokensDown(v.thawShares, op.thawTokens, op.thawShares);
            v.thawEnd = d.thawShares1 != 0 ? d.thawEnd1 : d.thawEnd0;
            if (d.thawShares0 != 0 && d.thawEnd0 > v.thawEnd) v.thawEnd = d.thawEnd0;
        }
    }

    // ================================================================ operators

    /// @inheritdoc IOperatorStaking
    function register(string calldata uri, uint16 initialCommissionBps) external whenNotPaused {
        OperatorState storage op = _operators[msg.sender];
        if (op.registered) revert StakingAlreadyRegistered(msg.sender);
        if (initialCommissionBps > _BPS) revert StakingInvalidBps(initialCommissionBps);
        op.registered = true;
        op.commissionBps = initialCommissionBps;
        _metadata[msg.sender] = uri;
        emit OperatorRegistered(msg.sender, uri, initialCommissionBps);
    }

    /// @inheritdoc IOperatorStaking
    function updateMetadata(string calldata uri) external {
        _requireRegistered(msg.sender);
        _metadata[msg.sender] = uri;
        emit MetadataUpdated(msg.sender, uri);
    }

    /// @inheritdoc IOperatorStaking
    function stake(uint256 amount) external whenNotPaused nonReentrant {
        OperatorState storage op = _requireRegistered(msg.sender);
        if (amount == 0) revert StakingZeroAmount();
        _beforeChange(msg.sender, op);
        op.selfStake += SafeCast.toUint128(amount);
        emit Staked(msg.sender, amount, op.selfStake);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOperatorStaking
    function requestUnstake(uint256 amount) external nonReentrant {
        OperatorState storage op = _operators[msg.sender];
        if (amount == 0) revert StakingZeroAmount();
        uint256 free = op.selfStake - op.locked;
        if (amount > free) revert StakingInsufficientFreeStake(msg.sender, free, amount);
        uint64 epoch = _beforeChange(msg.sender, op);
        uint64 thawEnd = uint64(block.timestamp) + _unbondingPeriod;
        uint256 second = op.selfThawing - op.selfThaw0;
        // The first slot is empty only when both are (withdrawStake and slashes keep it so).
        if (op.selfThaw0 == 0 || op.selfThawEnd0 == thawEnd) {
            op.selfThaw0 += amount;
            op.selfThawEnd0 = thawEnd;
        } else if (second == 0 || op.selfThawEnd1 == thawEnd) {
            op.selfThawEnd1 = thawEnd;
        } else {
            revert StakingThawSlotsFull(op.selfThawEnd0, op.selfThawEnd1);
        }
        op.selfStake -= uint128(amount);
        op.selfThawing += amount;
        _lowerBase(msg.sender, op, epoch);
        emit UnstakeRequested(msg.sender, amount, op.selfThawing, thawEnd);
    }

    /// @inheritdoc IOperatorStaking
    function withdrawStake() external nonReentrant {
        OperatorState storage op = _operators[msg.sender];
        uint256 total = op.selfThawing;
        if (total == 0) revert StakingNothingThawing();
        uint256 first = op.selfThaw0;
        uint256 second = total - first;
        uint256 amount;
        if (first != 0 && block.timestamp >= op.selfThawEnd0) {
            amount = first;
            op.selfThaw0 = 0;
        }
        if (second != 0 && block.timestamp >= op.selfThawEnd1) amount += second;
        if (amount == 0) {
            revert StakingStillThawing(
                first != 0 && (second == 0 || op.selfThawEnd0 < op.selfThawEnd1) ? op.selfThawEnd0 : op.selfThawEnd1
            );
        }
        op.selfThawing = total - amount;
        if (op.selfThaw0 == 0 && op.selfThawing != 0) {
            // Keep the first slot the one in use: move the second slot into it.
            op.selfThaw0 = op.selfThawing;
            op.selfThawEnd0 = op.selfThawEnd1;
        }
        emit StakeWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IOperatorStaking
    function setCommission(uint16 newCommissionBps) external nonReentrant {
        OperatorState storage op = _requireRegistered(msg.sender);
        if (newCommissionBps > _BPS) revert StakingInvalidBps(newCommissionBps);
        uint64 epoch = _beforeChange(msg.sender, op);
        uint16 current = commissionBps(msg.sender);
        if (newCommissionBps <= current) {
            op.commissionBps = newCommissionBps;
            op.pendingCommissionBps = 0;
            op.pendingCommissionAt = 0;
            _lowerBase(msg.sender, op, epoch);
            emit CommissionSet(msg.sender, newCommissionBps);
        } else {
            uint64 effectiveAt = uint64(block.timestamp) + _commissionDelay;
            op.commissionBps = current;
            op.pendingCommissionBps = newCommissionBps;
            op.pendingCommissionAt = effectiveAt;
            emit CommissionIncreaseScheduled(msg.sender, newCommissionBps, effectiveAt);
        }
    }

    // ================================================================ delegation

    /// @inheritdoc IOperatorStaking
    function delegate(address operator, uint256 amount) external whenNotPaused nonReentrant {
        OperatorState storage op = _requireRegistered(operator);
        if (amount == 0 || amount < _minDelegation) revert StakingBelowMinDelegation(amount, _minDelegation);
        uint64 epoch = _beforeChange(operator, op);
        DelegationState storage d = _syncDelegation(operator, msg.sender, op, epoch);
        if (_clock.length != 0) {
            // Pending until this epoch ends: no share of its rewards, nothing slashable yet.
            d.pendingTokens += amount;
            d.pendingEpoch = epoch;
            op.pendingTokens += amount;
            op.pendingEpoch = epoch;
            emit Delegated(operator, msg.sender, amount, 0);
        } else {
            uint256 shares = SharesMath.toSharesDown(amount, op.poolTokens, op.poolShares);
            if (shares == 0) revert StakingDust();
            op.poolTokens += amount;
            op.poolShares += shares;
            d.shares += shares;
            d.principal += amount;
            emit Delegated(operator, msg.sender, amount, shares);
        }
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOperatorStaking
    function undelegate(address operator, uint256 shares) external nonReentrant {
        OperatorState storage op = _operators[operator];
        if (shares == 0) revert StakingZeroAmount();
        uint64 epoch = _beforeChange(operator, op);
        DelegationState storage d = _syncDelegation(operator, msg.sender, op, epoch);
        if (shares > d.shares) revert StakingInsufficientShares(d.shares, shares);
        uint256 tokens = SharesMath.toTokensDown(shares, op.poolTokens, op.poolShares);
        uint256 thawShares = SharesMath.toSharesDown(tokens, op.thawTokens, op.thawShares);
        if (thawShares == 0) revert StakingDust();
        uint64 thawEnd = uint64(block.timestamp) + _unbondingPeriod;
        if (d.thawShares0 == 0 || d.thawEnd0 == thawEnd) {
            d.thawShares0 += thawShares;
            d.thawEnd0 = thawEnd;
        } else if (d.thawShares1 == 0 || d.thawEnd1 == thawEnd) {
            d.thawShares1 += thawShares;
            d.thawEnd1 = thawEnd;
        } else {
            revert StakingThawSlotsFull(d.thawEnd0, d.thawEnd1);
        }
        // The principal leaves in proportion to the shares that leave (rounded in the pool's favour).
        d.principal -= Math.mulDiv(d.principal, shares, d.shares);
        d.shares -= shares;
        op.poolShares -= shares;
        op.poolTokens -= tokens;
        op.thawTokens += tokens;
        op.thawShares += thawShares;
        _lowerBase(operator, op, epoch);
        emit Undelegated(operator, msg.sender, shares, tokens, thawShares, thawEnd);
    }

    /// @inheritdoc IOperatorStaking
    function withdrawDelegation(address operator) external nonReentrant {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][msg.sender];
        _syncThaw(operator, msg.sender, op, d);
        uint256 first = d.thawShares0;
        uint256 second = d.thawShares1;
        if (first == 0 && second == 0) revert StakingNothingThawing();
        uint256 thawShares;
        if (first != 0 && block.timestamp >= d.thawEnd0) {
            thawShares = first;
            d.thawShares0 = 0;
        }
        if (second != 0 && block.timestamp >= d.thawEnd1) {
            thawShares += second;
            d.thawShares1 = 0;
        }
        if (thawShares == 0) {
            revert StakingStillThawing(
                first != 0 && (second == 0 || d.thawEnd0 < d.thawEnd1) ? d.thawEnd0 : d.thawEnd1
            );
        }
        uint256 tokens = SharesMath.toTokensDown(thawShares, op.thawTokens, op.thawShares);
        op.thawShares -= thawShares;
        op.thawTokens -= tokens;
        emit DelegationWithdrawn(operator, msg.sender, thawShares, tokens);
        if (tokens > 0) _token.safeTransfer(msg.sender, tokens);
    }

    /// @inheritdoc IOperatorStaking
    function claimRewards(address operator) external nonReentrant {
        OperatorState storage op = _operators[operator];
        uint64 epoch = _beforeChange(operator, op);
        DelegationState storage d = _syncDelegation(operator, msg.sender, op, epoch);
        uint256 value = SharesMath.toTokensDown(d.shares, op.poolTokens, op.poolShares);
        if (value <= d.principal) revert StakingNothingToClaim();
        uint256 tokens = value - d.principal;
        // Never above d.shares: toSharesUp(toTokensDown(s)) <= s; the min guards the rounding anyway.
        uint256 shares = Math.min(SharesMath.toSharesUp(tokens, op.poolTokens, op.poolShares), d.shares);
        d.shares -= shares;
        op.poolShares -= shares;
        op.poolTokens -= tokens;
        _lowerBase(operator, op, epoch);
        emit RewardsClaimed(operator, msg.sender, shares, tokens);
        _token.safeTransfer(msg.sender, tokens);
    }

    // ================================================================ market and rewards hooks

    /// @inheritdoc IStakingHooks
    function lockCollateral(address operator, uint256 amount) external onlyRole(MARKET_ROLE) {
        OperatorState storage op = _operators[operator];
        uint256 free = op.selfStake - op.locked;
        if (amount > free) revert StakingInsufficientFreeStake(operator, free, amount);
        op.locked += SafeCast.toUint128(amount);
        emit CollateralLocked(operator, amount, op.locked);
    }

    /// @inheritdoc IStakingHooks
    /// @dev Capped at the locked stake: a slash may have taken collateral of other shards.
    function unlockCollateral(address operator, uint256 amount) external onlyRole(MARKET_ROLE) {
        OperatorState storage op = _operators[operator];
        uint256 unlocked = Math.min(amount, op.locked);
        op.locked -= uint128(unlocked);
        emit CollateralUnlocked(operator, unlocked, op.locked);
    }

    /// @inheritdoc IStakingHooks
    /// @dev Order (PROTOCOL §6.4): the rewards listener forfeits the open epoch first; release
    /// `lockedToRelease` (capped at the locked stake); take the free self-stake (the released
    /// collateral first in effect), then the thawing self-stake (second slot first), then the rest
    /// of the locked self-stake (other shards' collateral), then the pool's active tokens (past
    /// epochs' pending delegations joined first), then its thawing tokens. A pool left with shares
    /// and no tokens starts a new generation. A zero `recipient` means everything is burned. Jails
    /// even when nothing was at stake.
    function slash(
        address operator,
        uint256 amount,
        uint256 lockedToRelease,
        address recipient,
        uint16 recipientBps
    ) external onlyRole(SLASHER_ROLE) nonReentrant returns (uint256 slashed) {
        if (recipientBps > _BPS) revert StakingInvalidBps(recipientBps);
        OperatorState storage op = _operators[operator];
        uint64 epoch = currentEpoch();
        if (address(_listener) != address(0)) _listener.onSlashed(operator);
        _syncPool(operator, op, epoch);
        if (_clock.length != 0) _rollBase(operator, op, epoch);
        SlashWaterfall.Stakes memory st = SlashWaterfall.Stakes({
            selfStake: op.selfStake,
            locked: op.locked,
            selfThawing: op.selfThawing,
            selfThaw0: op.selfThaw0,
            poolTokens: op.poolTokens,
            thawTokens: op.thawTokens
        });
        uint256 fromSelf;
        (fromSelf, slashed) = SlashWaterfall.take(st, amount, lockedToRelease);
        op.selfStake = uint128(st.selfStake);
        op.locked = uint128(st.locked);
        op.selfThawing = st.selfThawing;
        op.selfThaw0 = st.selfThaw0;
        op.poolTokens = st.poolTokens;
        op.thawTokens = st.thawTokens;
        _wipeEmptyPools(operator, op);
        _lowerBase(operator, op, epoch);

        uint64 until = uint64(block.timestamp) + _jailPeriod;
        if (until > op.jailedUntil) op.jailedUntil = until;
        (uint256 toRecipient, uint256 burned) = SlashWaterfall.split(slashed, recipient, recipientBps);
        emit Slashed(operator, fromSelf, slashed - fromSelf, recipient, toRecipient, burned, op.jailedUntil);
        if (toRecipient > 0) _token.safeTransfer(recipient, toRecipient);
        if (burned > 0) _token.burn(burned);
    }

    /// @inheritdoc IStakingHooks
    /// @dev A zero amount does nothing. When the pool has no shares (nobody to pay), the rewards go
    /// to the operator's self-stake instead, so that they are never stranded. Not `nonReentrant`:
    /// the RewardsDistributor calls it while settling inside staking's own entrypoints (stake,
    /// delegate, ... → beforeStakeChange → settle); only the rewarder may call it, it pulls the RGL
    /// from the rewarder and calls nothing else.
    function addPoolRewards(address operator, uint256 amount, uint64 epoch) external onlyRole(REWARDER_ROLE) {
        if (amount == 0) return;
        OperatorState storage op = _requireRegistered(operator);
        if (_clock.length != 0) {
            uint64 nowEpoch = currentEpoch();
            _rollBase(operator, op, nowEpoch);
            // Delegations pending from before `epoch` were in the pool during it: they join first.
            _syncPool(operator, op, epoch);
        }
        if (op.poolShares == 0) {
            op.selfStake += SafeCast.toUint128(amount);
            emit PoolRewardsToSelfStake(operator, amount);
        } else {
            op.poolTokens += amount;
            emit PoolRewardsAdded(operator, amount, op.poolTokens);
        }
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ================================================================ capacity

    /// @inheritdoc IOperatorStaking
    /// @dev Not `nonReentrant`: the listener (the RewardsDistributor) settles the operator's past
    /// epoch and pays its pool through `addPoolRewards`. Every effect (the challenge marked used,
    /// the record written) happens before the two external calls, and this function moves no
    /// tokens, so a re-entrant call can only be a second, different, valid attestation.
    function recordCapacity(
        IOracleCommittee.CapacityAttestation calldata attestation,
        bytes[] calldata signatures
    ) external {
        _requireRegistered(attestation.operator);
        if (_usedChallenges[attestation.challengeId]) revert StakingChallengeUsed(attestation.challengeId);
        uint64 validUntil = attestation.validUntil;
        if (validUntil <= block.timestamp) revert StakingCapacityExpired(validUntil);
        uint64 maxValidUntil = uint64(block.timestamp) + _capacityBounds.validity;
        if (validUntil > maxValidUntil) revert StakingCapacityValidityTooLong(validUntil, maxValidUntil);
        // validUntil = issueTime + capacityValidity, so issueTime >= now - capacityMaxAge reads:
        if (uint256(validUntil) + _capacityBounds.maxAge < maxValidUntil) {
            revert StakingCapacityStale(validUntil, maxValidUntil - _capacityBounds.maxAge);
        }
        _committee.verifyCapacityAttestation(attestation, signatures);
        _usedChallenges[attestation.challengeId] = true;
        _capacity[attestation.operator] = Capacity({
            opsPerSec: attestation.opsPerSec,
            vramMiB: attestation.vramMiB,
            gpuModel: attestation.gpuModel,
            validUntil: validUntil
        });
        emit CapacityRecorded(
            attestation.operator,
            attestation.challengeId,
            attestation.opsPerSec,
            attestation.vramMiB,
            attestation.gpuModel,
            validUntil
        );
        ICapacityListener listener = _listener;
        if (address(listener) != address(0)) {
            listener.onCapacityRecorded(
                attestation.operator,
                attestation.challengeId,
                attestation.opsPerSec,
                validUntil
            );
        }
    }

    // ================================================================ governance

    /// @inheritdoc IOperatorStaking
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unbondingPeriod = _checkPeriod(newPeriod);
        emit UnbondingPeriodSet(newPeriod);
    }

    /// @inheritdoc IOperatorStaking
    function setJailPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _jailPeriod = _checkPeriod(newPeriod);
        emit JailPeriodSet(newPeriod);
    }

    /// @inheritdoc IOperatorStaking
    function setCommissionDelay(uint64 newDelay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _commissionDelay = _checkPeriod(newDelay);
        emit CommissionDelaySet(newDelay);
    }

    /// @inheritdoc IOperatorStaking
    function setMinDelegation(uint256 newMinimum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _minDelegation = newMinimum;
        emit MinDelegationSet(newMinimum);
    }

    /// @inheritdoc IOperatorStaking
    function setCapacityValidity(uint64 newValidity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _capacityBounds.validity = _checkPeriod(newValidity);
        emit CapacityValiditySet(newValidity);
    }

    /// @inheritdoc IOperatorStaking
    function setCapacityMaxAge(uint64 newMaxAge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _capacityBounds.maxAge = _checkPeriod(newMaxAge);
        emit CapacityMaxAgeSet(newMaxAge);
    }

    /// @inheritdoc IOperatorStaking
    function setCapacityListener(address listener) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _listener = ICapacityListener(listener);
        (uint64 genesis, uint64 length) = listener == address(0) ? (0, 0) : _listener.epochClock();
        _clock.genesis = genesis;
        _clock.length = length;
        emit CapacityListenerSet(listener);
        emit EpochClockSet(genesis, length);
    }

    /// @inheritdoc IOperatorStaking
    function setCommittee(address newCommittee) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCommittee(newCommittee);
    }

    /// @inheritdoc IOperatorStaking
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IOperatorStaking
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ================================================================ internals

    function _requireRegistered(address operator) private view returns (OperatorState storage op) {
        op = _operators[operator];
        if (!op.registered) revert StakingNotRegistered(operator);
    }

    /// @dev Before any change of the operator's self-stake, pool or commission: the listener
    /// settles the past open epoch (paying the pool at the old share price), past pending
    /// delegations join the pool, and the epoch's snapshot rolls. Returns the current epoch.
    function _beforeChange(address operator, OperatorState storage op) private returns (uint64 epoch) {
        bool clock = _clock.length != 0;
        if (clock) _listener.beforeStakeChange(operator);
        epoch = currentEpoch();
        _syncPool(operator, op, epoch);
        if (clock) _rollBase(operator, op, epoch);
    }

    /// @dev Starts the snapshot of `epoch` on its first change, from the figures at the epoch's
    /// start (nothing changed since: stake and pool as now, commission as in force at the start).
    function _rollBase(address operator, OperatorState storage op, uint64 epoch) private {
        BaseSnapshot storage snap = _base[operator];
        uint48 epochPlusOne = SafeCast.toUint48(uint256(epoch) + 1);
        if (snap.epochPlusOne == epochPlusOne) return;
        _base[operator] = BaseSnapshot({
            epochPlusOne: epochPlusOne,
            minCommission: _commissionAt(op, _epochStart(epoch)),
            minSelf: SafeCast.toUint96(op.selfStake),
            minDelegated: SafeCast.toUint96(_activeDelegated(op, epoch))
        });
    }

    /// @dev After a change: a decrease lowers the epoch's minima, an increase does not raise them.
    function _lowerBase(address operator, OperatorState storage op, uint64 epoch) private {
        if (_clock.length == 0) return;
        BaseSnapshot memory snap = _base[operator];
        // Each new value is below a uint96 minimum where it is written: the casts cannot truncate.
        if (op.selfStake < snap.minSelf) snap.minSelf = uint96(op.selfStake);
        uint256 delegated = _activeDelegated(op, epoch);
        if (delegated < snap.minDelegated) snap.minDelegated = uint96(delegated);
        uint16 commission = _commissionAt(op, block.timestamp);
        if (commission < snap.minCommission) snap.minCommission = commission;
        _base[operator] = snap;
    }

    /// @dev Past epochs' pending delegations join the pool at the share price of now; the batch's
    /// price is kept so that each delegation converts at its next touch.
    function _syncPool(address operator, OperatorState storage op, uint64 epoch) private {
        uint256 tokens = op.pendingTokens;
        if (tokens == 0 || !_isPast(op.pendingEpoch, epoch)) return;
        uint256 shares = SharesMath.toSharesDown(tokens, op.poolTokens, op.poolShares);
        uint64 pendingEpoch = op.pendingEpoch;
        _entries[operator][pendingEpoch] = PoolEntry({
            tokens: SafeCast.toUint96(tokens),
            generation: op.poolGeneration,
            shares: SafeCast.toUint128(shares)
        });
        op.pendingTokens = 0;
        op.poolTokens += tokens;
        op.poolShares += shares;
        emit PendingDelegationsJoined(operator, pendingEpoch, tokens, shares);
    }

    /// @dev Brings a delegation up to its pool: converts past pending tokens at their batch's
    /// price and clears shares of wiped generations. The pool must be synced first.
    function _syncDelegation(
        address operator,
        address delegator,
        OperatorState storage op,
        uint64 epoch
    ) private returns (DelegationState storage d) {
        d = _delegations[operator][delegator];
        uint256 pending = d.pendingTokens;
        if (pending != 0 && _isPast(d.pendingEpoch, epoch)) {
            PoolEntry storage entry = _entries[operator][d.pendingEpoch];
            if (entry.generation != d.generation) _wipeDelegation(operator, delegator, d, entry.generation);
            // Σ over the batch of ⌊pending·shares/tokens⌋ ≤ shares: the pool keeps the dust.
            uint256 shares = Math.mulDiv(pending, entry.shares, entry.tokens);
            d.shares += shares;
            d.principal += pending;
            d.pendingTokens = 0;
            emit DelegationActivated(operator, delegator, pending, shares);
        }
        if (d.generation != op.poolGeneration) _wipeDelegation(operator, delegator, d, op.poolGeneration);
        _syncThaw(operator, delegator, op, d);
    }

    function _wipeDelegation(
        address operator,
        address delegator,
        DelegationState storage d,
        uint32 generation
    ) private {
        if (d.shares != 0) emit DelegationWiped(operator, delegator, d.shares, 0);
        d.shares = 0;
        d.principal = 0;
        d.generation = generation;
    }

    function _syncThaw(
        address operator,
        address delegator,
        OperatorState storage op,
        DelegationState storage d
    ) private {
        if (d.thawGeneration == op.thawGeneration) return;
        uint256 voided = d.thawShares0 + d.thawShares1;
        if (voided != 0) emit DelegationWiped(operator, delegator, 0, voided);
        d.thawShares0 = 0;
        d.thawShares1 = 0;
        d.thawGeneration = op.thawGeneration;
    }

    /// @dev A pool left with shares and no tokens would price new shares ever higher (overflow
    /// after repeated wipes): void the shares and start a new generation instead.
    function _wipeEmptyPools(address operator, OperatorState storage op) private {
        if (op.poolTokens == 0 && op.poolShares != 0) {
            emit PoolWiped(operator, false, ++op.poolGeneration, op.poolShares);
            op.poolShares = 0;
        }
        if (op.thawTokens == 0 && op.thawShares != 0) {
            emit PoolWiped(operator, true, ++op.thawGeneration, op.thawShares);
            op.thawShares = 0;
        }
    }

    /// @dev Takes up to `amount` of thawing self-stake, the second slot first; returns what it took.
    /// @dev Pool tokens plus pending delegations of an epoch before `epoch`.
    function _activeDelegated(OperatorState storage op, uint64 epoch) private view returns (uint256) {
        return op.poolTokens + _joiningTokens(op, epoch);
    }

    function _joiningTokens(OperatorState storage op, uint64 epoch) private view returns (uint256) {
        return _isPast(op.pendingEpoch, epoch) ? op.pendingTokens : 0;
    }

    function _joiningShares(OperatorState storage op, uint256 joining) private view returns (uint256) {
        return SharesMath.toSharesDown(joining, op.poolTokens, op.poolShares);
    }

    /// @dev The batch price of `pendingEpoch`: stored when it joined, else the one it would join at.
    function _entryOf(
        OperatorState storage op,
        address operator,
        uint64 pendingEpoch,
        uint256 joining
    ) private view returns (uint256 tokens, uint256 shares, uint32 generation) {
        if (joining != 0 && op.pendingEpoch == pendingEpoch) {
            return (joining, _joiningShares(op, joining), op.poolGeneration);
        }
        PoolEntry storage entry = _entries[operator][pendingEpoch];
        return (entry.tokens, entry.shares, entry.generation);
    }

    /// @dev Whether pending tokens of `pendingEpoch` are active in `epoch` (always without a clock).
    function _isPast(uint64 pendingEpoch, uint64 epoch) private view returns (bool) {
        return _clock.length == 0 || pendingEpoch < epoch;
    }

    /// @dev The commission in force at `t`: a scheduled increase counts from its effective time.
    function _commissionAt(OperatorState storage op, uint256 t) private view returns (uint16) {
        uint64 at = op.pendingCommissionAt;
        return at != 0 && t >= at ? op.pendingCommissionBps : op.commissionBps;
    }

    function _epochStart(uint64 epoch) private view returns (uint256) {
        return uint256(_clock.genesis) + uint256(epoch) * _clock.length;
    }

    function _atStake(OperatorState storage op) private view returns (uint256) {
        return op.selfStake + op.selfThawing + op.poolTokens + op.thawTokens;
    }

    function _setCommittee(address newCommittee) private {
        if (newCommittee == address(0)) revert StakingZeroAddress();
        _committee = IOracleCommittee(newCommittee);
        emit CommitteeSet(newCommittee);
    }

    function _checkPeriod(uint64 period) private pure returns (uint64) {
        if (period > MAX_PERIOD) revert StakingPeriodTooLong(period, MAX_PERIOD);
        return period;
    }
}
