// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ICapacityListener} from "./interfaces/ICapacityListener.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";
import {IOperatorStaking} from "./interfaces/IOperatorStaking.sol";
import {IOracleCommittee} from "./interfaces/IOracleCommittee.sol";
import {IStakingHooks} from "./interfaces/IStakingHooks.sol";
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

    /// @dev One operator. `selfStake` includes `locked`; thawing amounts are outside both.
    struct OperatorState {
        bool registered;
        uint16 commissionBps;
        uint16 pendingCommissionBps;
        uint64 pendingCommissionAt;
        uint64 jailedUntil;
        uint64 selfThawEnd;
        uint256 selfStake;
        uint256 locked;
        uint256 selfThawing;
        uint256 poolTokens;
        uint256 poolShares;
        uint256 thawTokens;
        uint256 thawShares;
    }

    /// @dev One delegation: active pool shares, the principal they stand for, and thawing shares.
    struct DelegationState {
        uint256 shares;
        uint256 principal;
        uint256 thawShares;
        uint64 thawEnd;
    }

    IComputeToken private immutable _token;
    IOracleCommittee private _committee;
    ICapacityListener private _listener;
    uint64 private _unbondingPeriod;
    uint64 private _jailPeriod;
    uint64 private _commissionDelay;
    uint256 private _minDelegation;

    mapping(address operator => OperatorState) private _operators;
    mapping(address operator => string) private _metadata;
    mapping(address operator => mapping(address delegator => DelegationState)) private _delegations;
    mapping(address operator => Capacity) private _capacity;
    mapping(bytes32 challengeId => bool) private _usedChallenges;

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
    function delegatedStake(address operator) external view returns (uint256) {
        return _operators[operator].poolTokens;
    }

    /// @inheritdoc IStakingHooks
    function commissionBps(address operator) public view returns (uint16) {
        OperatorState storage op = _operators[operator];
        uint64 at = op.pendingCommissionAt;
        return at != 0 && block.timestamp >= at ? op.pendingCommissionBps : op.commissionBps;
    }

    /// @inheritdoc IStakingHooks
    function capacityOf(address operator) external view returns (Capacity memory) {
        return _capacity[operator];
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
        v.selfThawEnd = op.selfThawEnd;
        v.selfStake = op.selfStake;
        v.lockedStake = op.locked;
        v.selfThawing = op.selfThawing;
        v.poolTokens = op.poolTokens;
        v.poolShares = op.poolShares;
        v.thawTokens = op.thawTokens;
        v.thawShares = op.thawShares;
        v.totalAtStake = _atStake(op);
    }

    /// @inheritdoc IOperatorStaking
    function delegationInfo(address operator, address delegator) external view returns (DelegationView memory v) {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][delegator];
        v.shares = d.shares;
        v.principal = d.principal;
        v.value = SharesMath.toTokensDown(d.shares, op.poolTokens, op.poolShares);
        v.claimable = v.value > d.principal ? v.value - d.principal : 0;
        v.thawShares = d.thawShares;
        v.thawValue = SharesMath.toTokensDown(d.thawShares, op.thawTokens, op.thawShares);
        v.thawEnd = d.thawEnd;
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
        op.selfStake += amount;
        emit Staked(msg.sender, amount, op.selfStake);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOperatorStaking
    function requestUnstake(uint256 amount) external {
        OperatorState storage op = _operators[msg.sender];
        if (amount == 0) revert StakingZeroAmount();
        uint256 free = op.selfStake - op.locked;
        if (amount > free) revert StakingInsufficientFreeStake(msg.sender, free, amount);
        op.selfStake -= amount;
        op.selfThawing += amount;
        uint64 thawEnd = uint64(block.timestamp) + _unbondingPeriod;
        op.selfThawEnd = thawEnd;
        emit UnstakeRequested(msg.sender, amount, op.selfThawing, thawEnd);
    }

    /// @inheritdoc IOperatorStaking
    function withdrawStake() external nonReentrant {
        OperatorState storage op = _operators[msg.sender];
        uint256 amount = op.selfThawing;
        if (amount == 0) revert StakingNothingThawing();
        if (block.timestamp < op.selfThawEnd) revert StakingStillThawing(op.selfThawEnd);
        op.selfThawing = 0;
        emit StakeWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IOperatorStaking
    function setCommission(uint16 newCommissionBps) external {
        OperatorState storage op = _requireRegistered(msg.sender);
        if (newCommissionBps > _BPS) revert StakingInvalidBps(newCommissionBps);
        uint16 current = commissionBps(msg.sender);
        if (newCommissionBps <= current) {
            op.commissionBps = newCommissionBps;
            op.pendingCommissionBps = 0;
            op.pendingCommissionAt = 0;
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
        uint256 shares = SharesMath.toSharesDown(amount, op.poolTokens, op.poolShares);
        if (shares == 0) revert StakingDust();
        DelegationState storage d = _delegations[operator][msg.sender];
        op.poolTokens += amount;
        op.poolShares += shares;
        d.shares += shares;
        d.principal += amount;
        emit Delegated(operator, msg.sender, amount, shares);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOperatorStaking
    function undelegate(address operator, uint256 shares) external {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][msg.sender];
        if (shares == 0) revert StakingZeroAmount();
        if (shares > d.shares) revert StakingInsufficientShares(d.shares, shares);
        uint256 tokens = SharesMath.toTokensDown(shares, op.poolTokens, op.poolShares);
        uint256 thawShares = SharesMath.toSharesDown(tokens, op.thawTokens, op.thawShares);
        if (thawShares == 0) revert StakingDust();
        // The principal leaves in proportion to the shares that leave (rounded in the pool's favour).
        d.principal -= Math.mulDiv(d.principal, shares, d.shares);
        d.shares -= shares;
        op.poolShares -= shares;
        op.poolTokens -= tokens;
        op.thawTokens += tokens;
        op.thawShares += thawShares;
        d.thawShares += thawShares;
        uint64 thawEnd = uint64(block.timestamp) + _unbondingPeriod;
        d.thawEnd = thawEnd;
        emit Undelegated(operator, msg.sender, shares, tokens, thawShares, thawEnd);
    }

    /// @inheritdoc IOperatorStaking
    function withdrawDelegation(address operator) external nonReentrant {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][msg.sender];
        uint256 thawShares = d.thawShares;
        if (thawShares == 0) revert StakingNothingThawing();
        if (block.timestamp < d.thawEnd) revert StakingStillThawing(d.thawEnd);
        uint256 tokens = SharesMath.toTokensDown(thawShares, op.thawTokens, op.thawShares);
        d.thawShares = 0;
        op.thawShares -= thawShares;
        op.thawTokens -= tokens;
        emit DelegationWithdrawn(operator, msg.sender, thawShares, tokens);
        if (tokens > 0) _token.safeTransfer(msg.sender, tokens);
    }

    /// @inheritdoc IOperatorStaking
    function claimRewards(address operator) external nonReentrant {
        OperatorState storage op = _operators[operator];
        DelegationState storage d = _delegations[operator][msg.sender];
        uint256 value = SharesMath.toTokensDown(d.shares, op.poolTokens, op.poolShares);
        if (value <= d.principal) revert StakingNothingToClaim();
        uint256 tokens = value - d.principal;
        // Never above d.shares: toSharesUp(toTokensDown(s)) <= s; the min guards the rounding anyway.
        uint256 shares = Math.min(SharesMath.toSharesUp(tokens, op.poolTokens, op.poolShares), d.shares);
        d.shares -= shares;
        op.poolShares -= shares;
        op.poolTokens -= tokens;
        emit RewardsClaimed(operator, msg.sender, shares, tokens);
        _token.safeTransfer(msg.sender, tokens);
    }

    // ================================================================ market and rewards hooks

    /// @inheritdoc IStakingHooks
    function lockCollateral(address operator, uint256 amount) external onlyRole(MARKET_ROLE) {
        OperatorState storage op = _operators[operator];
        uint256 free = op.selfStake - op.locked;
        if (amount > free) revert StakingInsufficientFreeStake(operator, free, amount);
        op.locked += amount;
        emit CollateralLocked(operator, amount, op.locked);
    }

    /// @inheritdoc IStakingHooks
    /// @dev Capped at the locked stake: a slash may have taken collateral of other shards.
    function unlockCollateral(address operator, uint256 amount) external onlyRole(MARKET_ROLE) {
        OperatorState storage op = _operators[operator];
        uint256 unlocked = Math.min(amount, op.locked);
        op.locked -= unlocked;
        emit CollateralUnlocked(operator, unlocked, op.locked);
    }

    /// @inheritdoc IStakingHooks
    /// @dev Order: release `lockedToRelease` (capped at the locked stake); take the free self-stake
    /// (the released collateral first in effect), then the thawing self-stake, then the rest of the
    /// locked self-stake (other shards' collateral), then the pool's active tokens, then its
    /// thawing tokens. A zero `recipient` means everything is burned. Jails even when nothing was
    /// at stake.
    function slash(
        address operator,
        uint256 amount,
        uint256 lockedToRelease,
        address recipient,
        uint16 recipientBps
    ) external onlyRole(SLASHER_ROLE) nonReentrant returns (uint256 slashed) {
        if (recipientBps > _BPS) revert StakingInvalidBps(recipientBps);
        OperatorState storage op = _operators[operator];
        op.locked -= Math.min(lockedToRelease, op.locked);

        uint256 left = amount;
        uint256 take = Math.min(left, op.selfStake - op.locked);
        op.selfStake -= take;
        left -= take;
        take = Math.min(left, op.selfThawing);
        op.selfThawing -= take;
        left -= take;
        take = Math.min(left, op.selfStake);
        op.selfStake -= take;
        op.locked -= take;
        left -= take;
        uint256 fromSelf = amount - left;
        take = Math.min(left, op.poolTokens);
        op.poolTokens -= take;
        left -= take;
        take = Math.min(left, op.thawTokens);
        op.thawTokens -= take;
        left -= take;
        slashed = amount - left;

        uint64 until = uint64(block.timestamp) + _jailPeriod;
        if (until > op.jailedUntil) op.jailedUntil = until;
        uint256 toRecipient = recipient == address(0) ? 0 : (slashed * recipientBps) / _BPS;
        uint256 burned = slashed - toRecipient;
        emit Slashed(operator, fromSelf, slashed - fromSelf, recipient, toRecipient, burned, op.jailedUntil);
        if (toRecipient > 0) _token.safeTransfer(recipient, toRecipient);
        if (burned > 0) _token.burn(burned);
    }

    /// @inheritdoc IStakingHooks
    /// @dev A zero amount does nothing. When the pool has no shares (nobody to pay), the rewards go
    /// to the operator's self-stake instead, so that they are never stranded.
    function addPoolRewards(address operator, uint256 amount) external onlyRole(REWARDER_ROLE) nonReentrant {
        if (amount == 0) return;
        OperatorState storage op = _requireRegistered(operator);
        if (op.poolShares == 0) {
            op.selfStake += amount;
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
    /// epoch and pays its pool through `addPoolRewards`, which holds the guard; holding it here too
    /// made every capacity record with an unsettled past epoch revert. Every effect (the challenge
    /// marked used, the record written) happens before the two external calls, and this function
    /// moves no tokens, so a re-entrant call can only be a second, different, valid attestation.
    function recordCapacity(
        IOracleCommittee.CapacityAttestation calldata attestation,
        bytes[] calldata signatures
    ) external {
        _requireRegistered(attestation.operator);
        if (_usedChallenges[attestation.challengeId]) revert StakingChallengeUsed(attestation.challengeId);
        if (attestation.validUntil <= block.timestamp) revert StakingCapacityExpired(attestation.validUntil);
        _committee.verifyCapacityAttestation(attestation, signatures);
        _usedChallenges[attestation.challengeId] = true;
        _capacity[attestation.operator] = Capacity({
            opsPerSec: attestation.opsPerSec,
            vramMiB: attestation.vramMiB,
            gpuModel: attestation.gpuModel,
            validUntil: attestation.validUntil
        });
        emit CapacityRecorded(
            attestation.operator,
            attestation.challengeId,
            attestation.opsPerSec,
            attestation.vramMiB,
            attestation.gpuModel,
            attestation.validUntil
        );
        ICapacityListener listener = _listener;
        if (address(listener) != address(0)) {
            listener.onCapacityRecorded(
                attestation.operator,
                attestation.challengeId,
                attestation.opsPerSec,
                attestation.validUntil
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
    function setCapacityListener(address listener) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _listener = ICapacityListener(listener);
        emit CapacityListenerSet(listener);
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
