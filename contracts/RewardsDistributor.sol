// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICapacityListener} from "./interfaces/ICapacityListener.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IOperatorStaking} from "./interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
import {EmissionMath} from "./libraries/EmissionMath.sol";

/// @title RewardsDistributor
/// @notice Epoch emission of RGL to operators and their delegation pools, settled lazily.
contract RewardsDistributor is IRewardsDistributor, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IComputeToken;

    /// @inheritdoc IRewardsDistributor
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @inheritdoc IRewardsDistributor
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    uint256 private constant _BPS = 10_000;
    uint8 private constant NOT_CREDITED_JAILED = 1;
    uint8 private constant NOT_CREDITED_STAKE = 2;
    uint8 private constant NOT_CREDITED_SLASHED = 3;
    uint8 private constant NOT_CREDITED_NOT_ABOVE_MAX = 4;
    uint8 private constant NOT_CREDITED_ISSUED_EARLIER = 5;
    uint64 private constant _MAX_VESTING_DELAY = 30 days;

    /// @notice The RGL token (this contract holds its MINTER_ROLE).
    IComputeToken public immutable rgl;
    /// @notice OperatorStaking.
    IStakingHooks public immutable staking;

    uint64 private immutable _genesis;
    uint64 private immutable _epochLength;
    uint256 private immutable _initialEmission;
    uint16 private immutable _decayBps;
    uint16 private immutable _workShareBps;
    uint16 private _workRewardCapBps;
    uint256 private _minAvailabilityStake = 100e18;

    /// @dev An operator's open epoch (`OperatorEpoch`) with its all-time jobs-done count and the
    /// epoch (+1) of its last slash, in two slots: a work credit reads and writes slot 0 only, and
    /// reads slot 1 once (PROTOCOL §20.4).
    struct OpenRecord {
        uint64 epoch;
        uint128 workPoints;
        uint64 jobsDone;
        uint128 availabilityPoints;
        uint64 slashedEpochPlusOne;
    }

    uint256 private _totalMinted;
    mapping(uint64 epoch => uint256) private _workTotal;
    mapping(uint64 epoch => uint256) private _availTotal;
    mapping(uint64 epoch => uint256) private _minted;
    mapping(address operator => OpenRecord) private _open;
    mapping(address operator => uint256) private _claimable;
    mapping(address operator => uint256) private _earned;
    mapping(address operator => VestingSlot[2]) private _vesting;
    uint64 private _rewardVestingDelay;

    /// @param admin Receives the admin and governor roles (the timelock in a deployment).
    /// @param rgl_ The RGL token.
    /// @param staking_ OperatorStaking (the only caller of `onCapacityRecorded`).
    /// @param s The schedule; `genesis` 0 means the deployment time.
    constructor(address admin, IComputeToken rgl_, IStakingHooks staking_, Schedule memory s) {
        if (admin == address(0) || address(rgl_) == address(0) || address(staking_) == address(0)) {
            revert RewardsZeroAddress();
        }
        if (s.epochLength == 0) revert RewardsBadParam("epochLength", 0);
        if (s.decayBps >= _BPS) revert RewardsBadParam("decayBps", s.decayBps);
        if (s.workShareBps > _BPS) revert RewardsBadParam("workShareBps", s.workShareBps);
        rgl = rgl_;
        staking = staking_;
        _genesis = s.genesis == 0 ? uint64(block.timestamp) : s.genesis;
        _epochLength = s.epochLength;
        _initialEmission = s.initialEmission;
        _decayBps = s.decayBps;
        _workShareBps = s.workShareBps;
        _setWorkRewardCap(s.workRewardCapBps);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
    }

    modifier onlyStaking() {
        if (msg.sender != address(staking)) revert RewardsNotStaking(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- crediting

    /// @inheritdoc IRewardsDistributor
    /// @dev In the epoch of a slash the points are forfeited (not counted in `W(e)`).
    function creditWork(
        address operator,
        uint256 points,
        uint256 jobId,
        uint32 shard
    ) external onlyRole(MARKET_ROLE) nonReentrant {
        (bool credited, uint64 epoch) = _creditWork(operator, points, 1);
        if (credited) emit WorkCredited(operator, epoch, jobId, shard, points);
    }

    /// @inheritdoc IRewardsDistributor
    function creditWorkBatch(
        address operator,
        uint256 points,
        uint32 shards
    ) external onlyRole(MARKET_ROLE) nonReentrant {
        (bool credited, uint64 epoch) = _creditWork(operator, points, shards);
        if (credited) emit WorkBatchCredited(operator, epoch, shards, points);
    }

    /// @dev Counts `shards` jobs done and adds `points` to the open epoch, unless the operator was
    /// slashed in this epoch (then the points are forfeited, `RewardsForfeited`).
    function _creditWork(
        address operator,
        uint256 points,
        uint32 shards
    ) private returns (bool credited, uint64 epoch) {
        epoch = currentEpoch();
        OpenRecord storage o = _open[operator];
        o.jobsDone += shards;
        if (o.slashedEpochPlusOne == epoch + 1) {
            emit RewardsForfeited(operator, epoch, points, 0);
            return (false, epoch);
        }
        _settle(operator, epoch);
        o.epoch = epoch;
        o.workPoints += SafeCast.toUint128(points);
        _workTotal[epoch] += points;
        return (true, epoch);
    }

    /// @inheritdoc ICapacityListener
    /// @dev Never reverts for a refused credit (it emits `AvailabilityNotCredited`), so that
    /// staking's write of the capacity record never fails because of rewards.
    function onCapacityRecorded(
        address operator,
        bytes32 challengeId,
        uint64 opsPerSec,
        uint64 validUntil
    ) external onlyStaking nonReentrant {
        uint64 epoch = currentEpoch();
        uint8 reason;
        if (_open[operator].slashedEpochPlusOne == epoch + 1) reason = NOT_CREDITED_SLASHED;
        else if (staking.jailedUntil(operator) > block.timestamp) reason = NOT_CREDITED_JAILED;
        else if (staking.selfStake(operator) < _minAvailabilityStake) reason = NOT_CREDITED_STAKE;
        else if (_epochAt(_issueTime(validUntil)) != epoch) reason = NOT_CREDITED_ISSUED_EARLIER;
        if (reason != 0) {
            emit AvailabilityNotCredited(operator, epoch, challengeId, reason);
            return;
        }
        _settle(operator, epoch);
        OpenRecord storage o = _open[operator];
        // After the settle, a record of an earlier epoch holds no availability points.
        uint128 best = o.epoch == epoch ? o.availabilityPoints : 0;
        if (opsPerSec <= best) {
            emit AvailabilityNotCredited(operator, epoch, challengeId, NOT_CREDITED_NOT_ABOVE_MAX);
            return;
        }
        // The epoch's availability is its best attested throughput: a higher record adds the difference.
        uint128 added = opsPerSec - best;
        o.epoch = epoch;
        o.availabilityPoints = opsPerSec;
        _availTotal[epoch] += added;
        emit AvailabilityCredited(operator, epoch, challengeId, added);
    }

    /// @inheritdoc ICapacityListener
    function beforeStakeChange(address operator) external onlyStaking nonReentrant {
        _settle(operator, currentEpoch());
    }

    /// @inheritdoc ICapacityListener
    /// @dev Also forfeits every unvested operator part (burned); parts already vested stay claimable.
    function onSlashed(address operator) external onlyStaking nonReentrant {
        uint64 epoch = currentEpoch();
        OperatorEpoch memory o = _openOf(operator);
        _open[operator].slashedEpochPlusOne = epoch + 1;
        if (o.workPoints != 0 || o.availabilityPoints != 0) {
            _clearOpen(operator);
            emit RewardsForfeited(operator, o.epoch, o.workPoints, o.availabilityPoints);
        }
        emit CreditsSuspended(operator, epoch);
        _releaseVested(operator);
        VestingSlot[2] storage v = _vesting[operator];
        uint256 unvested = uint256(v[0].amount) + v[1].amount;
        if (unvested == 0) return;
        delete _vesting[operator];
        emit VestingForfeited(operator, unvested);
        rgl.burn(unvested);
    }

    // ---------------------------------------------------------------- settlement and claims

    /// @inheritdoc IRewardsDistributor
    function settleOperator(address operator) external nonReentrant {
        _settle(operator, currentEpoch());
    }

    /// @inheritdoc IRewardsDistributor
    function claim(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert RewardsZeroAddress();
        _settle(msg.sender, currentEpoch());
        _releaseVested(msg.sender);
        amount = _claimable[msg.sender];
        if (amount == 0) revert RewardsNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        emit RewardsClaimed(msg.sender, to, amount);
        rgl.safeTransfer(to, amount);
    }

    /// @inheritdoc IRewardsDistributor
    function setMinAvailabilityStake(uint256 minimum) external onlyRole(GOVERNOR_ROLE) {
        _minAvailabilityStake = minimum;
        emit MinAvailabilityStakeSet(minimum);
    }

    /// @inheritdoc IRewardsDistributor
    function setWorkRewardCap(uint16 workRewardCapBps) external onlyRole(GOVERNOR_ROLE) {
        _setWorkRewardCap(workRewardCapBps);
    }

    /// @inheritdoc IRewardsDistributor
    function setRewardVestingDelay(uint64 delay) external onlyRole(GOVERNOR_ROLE) {
        if (delay > _MAX_VESTING_DELAY) revert RewardsBadParam("rewardVestingDelay", delay);
        _rewardVestingDelay = delay;
        emit RewardVestingDelaySet(delay);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRewardsDistributor
    function minAvailabilityStake() external view returns (uint256) {
        return _minAvailabilityStake;
    }

    /// @inheritdoc IRewardsDistributor
    function rewardVestingDelay() external view returns (uint64) {
        return _rewardVestingDelay;
    }

    /// @inheritdoc IRewardsDistributor
    function vestingRewards(address operator) public view returns (uint256 amount, uint64 vestedBy) {
        VestingSlot[2] memory v = _vesting[operator];
        for (uint256 i = 0; i < 2; ++i) {
            if (v[i].amount == 0 || v[i].vestsAt <= block.timestamp) continue;
            amount += v[i].amount;
            if (v[i].vestsAt > vestedBy) vestedBy = v[i].vestsAt;
        }
        (uint256 part, uint64 epoch) = _unsettledOperatorPart(operator);
        uint64 vestsAt = _vestsAt(epoch);
        if (part != 0 && vestsAt > block.timestamp) {
            amount += part;
            if (vestsAt > vestedBy) vestedBy = vestsAt;
        }
    }

    /// @inheritdoc ICapacityListener
    function epochClock() external view returns (uint64 genesis, uint64 epochLength) {
        return (_genesis, _epochLength);
    }

    /// @inheritdoc IRewardsDistributor
    function currentEpoch() public view returns (uint64) {
        // Before a future genesis everything counts in epoch 0 (never an underflow revert, which
        // would block staking's capacity records through the listener).
        return _epochAt(uint64(block.timestamp));
    }

    /// @inheritdoc IRewardsDistributor
    function emissionOf(uint64 epoch) public view returns (uint256) {
        return EmissionMath.emission(_initialEmission, _decayBps, epoch);
    }

    /// @inheritdoc IRewardsDistributor
    function epochTotals(uint64 epoch) external view returns (EpochTotals memory) {
        return
            EpochTotals({
                emission: emissionOf(epoch),
                workPoints: _workTotal[epoch],
                availabilityPoints: _availTotal[epoch],
                minted: _minted[epoch]
            });
    }

    /// @inheritdoc IRewardsDistributor
    function operatorEpoch(address operator) external view returns (OperatorEpoch memory) {
        return _openOf(operator);
    }

    /// @inheritdoc IRewardsDistributor
    function pendingRewards(address operator) external view returns (uint256) {
        return _rewardOf(_openOf(operator));
    }

    /// @inheritdoc IRewardsDistributor
    function claimableRewards(address operator) public view returns (uint256 amount) {
        amount = _claimable[operator];
        VestingSlot[2] memory v = _vesting[operator];
        for (uint256 i = 0; i < 2; ++i) {
            if (v[i].vestsAt <= block.timestamp) amount += v[i].amount;
        }
        (uint256 part, uint64 epoch) = _unsettledOperatorPart(operator);
        if (part != 0 && _vestsAt(epoch) <= block.timestamp) amount += part;
    }

    /// @inheritdoc IRewardsDistributor
    function operatorStats(address operator) external view returns (OperatorStats memory) {
        IStakingHooks.Capacity memory c = staking.capacityOf(operator);
        (uint256 vesting, uint64 vestedBy) = vestingRewards(operator);
        return
            OperatorStats({
                selfStake: staking.selfStake(operator),
                delegatedStake: staking.delegatedStake(operator),
                commissionBps: staking.commissionBps(operator),
                earned: _earned[operator],
                claimable: claimableRewards(operator),
                jobsDone: _open[operator].jobsDone,
                opsPerSec: c.opsPerSec,
                vramMiB: c.vramMiB,
                capacityValidUntil: c.validUntil,
                vesting: vesting,
                vestedBy: vestedBy
            });
    }

    /// @inheritdoc IRewardsDistributor
    function delegationValue(
        address operator,
        address delegator
    ) external view returns (uint256 value, uint256 claimable, uint256 pending) {
        IOperatorStaking.DelegationView memory d = IOperatorStaking(address(staking)).delegationInfo(
            operator,
            delegator
        );
        return (d.value, d.claimable, d.pendingTokens);
    }

    /// @inheritdoc IRewardsDistributor
    function schedule() external view returns (Schedule memory) {
        return
            Schedule({
                genesis: _genesis,
                epochLength: _epochLength,
                initialEmission: _initialEmission,
                decayBps: _decayBps,
                workShareBps: _workShareBps,
                workRewardCapBps: _workRewardCapBps
            });
    }

    /// @inheritdoc IRewardsDistributor
    function totalMinted() external view returns (uint256) {
        return _totalMinted;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Settles the operator's open epoch when it is in the past: mints its reward, keeps
    /// commission and self-stake share claimable, and adds the pool share to the delegation pool.
    /// The split uses the epoch's reward base (minimum stake, pool and commission over the epoch);
    /// availability points count only when the base self-stake reached `minAvailabilityStake`.
    function _settle(address operator, uint64 nowEpoch) private {
        // Read slot 0 first: a credit in the open epoch returns here without reading slot 1.
        if (_open[operator].epoch >= nowEpoch) return;
        OperatorEpoch memory o = _openOf(operator);
        if (o.workPoints == 0 && o.availabilityPoints == 0) return;
        _clearOpen(operator);
        IStakingHooks.RewardBase memory base = staking.rewardBase(operator, o.epoch);
        if (o.availabilityPoints != 0 && base.selfStake < _minAvailabilityStake) {
            emit AvailabilityNotCredited(operator, o.epoch, bytes32(0), NOT_CREDITED_STAKE);
            o.availabilityPoints = 0;
        }
        uint256 total = _mintable(_rewardOf(o));
        (uint256 commission, uint256 selfShare, uint256 poolShare) = _split(base, total);
        _minted[o.epoch] += total;
        _totalMinted += total;
        _earned[operator] += total;
        _addOperatorPart(operator, commission + selfShare, o.epoch);
        emit EpochSettled(
            operator,
            o.epoch,
            o.workPoints,
            o.availabilityPoints,
            total,
            commission,
            selfShare,
            poolShare
        );

        if (total == 0) return;
        rgl.mint(address(this), total);
        if (poolShare > 0) {
            rgl.forceApprove(address(staking), poolShare);
            staking.addPoolRewards(operator, poolShare, o.epoch);
        }
    }

    /// @dev Puts a settled operator part (commission + self share of `epoch`) into vesting until
    /// `_vestsAt(epoch)`, or straight into the claimable balance when that time has passed. Two
    /// slots suffice: the vesting times are rounded up to multiples of the delay, and every unvested
    /// amount vests in `(now, now + 2 × delay)`, which holds at most two such multiples. Should a
    /// change of the delay leave both slots taken by other times, the part joins the later slot,
    /// which then vests at the later of the two times (never earlier than either).
    function _addOperatorPart(address operator, uint256 amount, uint64 epoch) private {
        if (amount == 0) return;
        uint64 vestsAt = _vestsAt(epoch);
        if (vestsAt <= block.timestamp) {
            _claimable[operator] += amount;
            return;
        }
        _releaseVested(operator);
        VestingSlot[2] storage v = _vesting[operator];
        uint256 i;
        if (v[0].amount != 0 && v[0].vestsAt == vestsAt) i = 0;
        else if (v[1].amount != 0 && v[1].vestsAt == vestsAt) i = 1;
        else if (v[0].amount == 0) i = 0;
        else if (v[1].amount == 0) i = 1;
        else {
            i = v[0].vestsAt > v[1].vestsAt ? 0 : 1;
            if (v[i].vestsAt > vestsAt) vestsAt = v[i].vestsAt;
        }
        v[i].amount += SafeCast.toUint192(amount);
        v[i].vestsAt = vestsAt;
        emit RewardsVesting(operator, epoch, amount, vestsAt);
    }

    /// @dev Moves every vesting slot whose time has come into the claimable balance.
    function _releaseVested(address operator) private {
        VestingSlot[2] storage v = _vesting[operator];
        uint256 released;
        for (uint256 i = 0; i < 2; ++i) {
            if (v[i].amount == 0 || v[i].vestsAt > block.timestamp) continue;
            released += v[i].amount;
            delete v[i];
        }
        if (released == 0) return;
        _claimable[operator] += released;
        emit RewardsVested(operator, released);
    }

    /// @dev When the part of `epoch`'s reward kept by its operator vests: the epoch's end plus
    /// `rewardVestingDelay`, rounded up to a multiple of the delay (PROTOCOL §10.9).
    function _vestsAt(uint64 epoch) private view returns (uint64) {
        uint256 at = uint256(_genesis) + (uint256(epoch) + 1) * _epochLength + _rewardVestingDelay;
        uint256 d = _rewardVestingDelay;
        if (d != 0) at = ((at + d - 1) / d) * d;
        return SafeCast.toUint64(at);
    }

    /// @dev The operator part of a past epoch not settled yet (what `_settle` would add), and that epoch.
    function _unsettledOperatorPart(address operator) private view returns (uint256 part, uint64 epoch) {
        OperatorEpoch memory o = _openOf(operator);
        if (o.epoch >= currentEpoch() || (o.workPoints == 0 && o.availabilityPoints == 0)) return (0, 0);
        IStakingHooks.RewardBase memory base = staking.rewardBase(operator, o.epoch);
        if (base.selfStake < _minAvailabilityStake) o.availabilityPoints = 0;
        (uint256 commission, uint256 selfShare, ) = _split(base, _mintable(_rewardOf(o)));
        return (commission + selfShare, o.epoch);
    }

    /// @dev The issue time of a record: `validUntil − capacityValidity` (0 if that is negative).
    function _issueTime(uint64 validUntil) private view returns (uint64) {
        uint64 validity = staking.capacityValidity();
        return validUntil > validity ? validUntil - validity : 0;
    }

    /// @dev The epoch of time `t` (0 up to genesis), as `currentEpoch` for now.
    function _epochAt(uint64 t) private view returns (uint64) {
        if (t <= _genesis) return 0;
        return SafeCast.toUint64((t - _genesis) / _epochLength);
    }

    /// @dev The open epoch of `operator` as the interface's `OperatorEpoch`.
    function _openOf(address operator) private view returns (OperatorEpoch memory) {
        OpenRecord storage r = _open[operator];
        return OperatorEpoch({epoch: r.epoch, workPoints: r.workPoints, availabilityPoints: r.availabilityPoints});
    }

    /// @dev Empties the open epoch of `operator`, keeping its jobs-done count and last slash epoch.
    function _clearOpen(address operator) private {
        OpenRecord storage r = _open[operator];
        r.epoch = 0;
        r.workPoints = 0;
        r.availabilityPoints = 0;
    }

    function _rewardOf(OperatorEpoch memory o) private view returns (uint256) {
        return
            EmissionMath.reward(
                emissionOf(o.epoch),
                _workShareBps,
                _workRewardCapBps,
                o.workPoints,
                _workTotal[o.epoch],
                o.availabilityPoints,
                _availTotal[o.epoch]
            );
    }

    /// @dev Never mint above the token's cap: the excess is simply not emitted.
    function _mintable(uint256 reward) private view returns (uint256) {
        uint256 room = rgl.cap() - rgl.totalSupply();
        return reward < room ? reward : room;
    }

    /// @dev commission = reward × commissionBps; the rest by stake between self-stake and pool,
    /// all from the epoch's reward base.
    function _split(
        IStakingHooks.RewardBase memory base,
        uint256 reward
    ) private pure returns (uint256 commission, uint256 selfShare, uint256 poolShare) {
        commission = (reward * base.commissionBps) / _BPS;
        uint256 rest = reward - commission;
        uint256 stake = base.selfStake + base.delegatedStake;
        poolShare = stake == 0 ? 0 : (rest * base.delegatedStake) / stake;
        selfShare = rest - poolShare;
    }

    function _setWorkRewardCap(uint16 capBps) private {
        // Below 10^4: one point (1 RGL wei of fee) earns less than 1 RGL wei, so self-dealing loses.
        if (capBps >= _BPS) revert RewardsBadParam("workRewardCapBps", capBps);
        _workRewardCapBps = capBps;
        emit WorkRewardCapSet(capBps);
    }
}
