// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICapacityListener} from "../interfaces/ICapacityListener.sol";
import {IComputeToken} from "../interfaces/IComputeToken.sol";
import {IStakingHooks} from "../interfaces/IStakingHooks.sol";

/// @title TestStakingHooks
/// @notice TEST DOUBLE of OperatorStaking's hooks for JobMarket/RewardsDistributor unit tests. It
/// holds real RGL so that slashes and pool rewards move real balances. Not for deployment.
contract TestStakingHooks is IStakingHooks {
    using SafeERC20 for IComputeToken;

    /// @notice Caller is not the market.
    error TestStakingNotMarket(address caller);
    /// @notice Lock above free stake.
    error TestStakingInsufficientFree(uint256 free, uint256 amount);

    /// @notice Emitted on every slash.
    event TestSlashed(address indexed operator, uint256 slashed, address recipient, uint256 toRecipient);

    IComputeToken public immutable rgl;
    address public market;
    uint64 public jailPeriod = 1 days;
    uint64 public capacityValidity;

    mapping(address => bool) public isRegistered;
    mapping(address => uint64) public jailedUntil;
    mapping(address => uint256) public selfStake;
    mapping(address => uint256) public delegatedStake;
    mapping(address => uint256) public locked;
    mapping(address => uint16) public commissionBps;
    mapping(address => Capacity) private _capacity;

    constructor(IComputeToken rgl_) {
        rgl = rgl_;
    }

    /// @notice Set the market allowed to lock, unlock and slash.
    function setMarket(address market_) external {
        market = market_;
    }

    /// @notice Set the capacity validity (0 by default: a record's issue time is its `validUntil`).
    function setCapacityValidity(uint64 validity) external {
        capacityValidity = validity;
    }

    /// @notice Register an operator with a commission.
    function setOperator(address operator, bool registered, uint16 commission) external {
        isRegistered[operator] = registered;
        commissionBps[operator] = commission;
    }

    /// @notice Jail or unjail.
    function setJailedUntil(address operator, uint64 until) external {
        jailedUntil[operator] = until;
    }

    /// @notice Set a capacity record.
    function setCapacity(address operator, Capacity calldata c) external {
        _capacity[operator] = c;
    }

    /// @notice Stake RGL pulled from the caller for `operator`.
    function stake(address operator, uint256 amount) external {
        rgl.safeTransferFrom(msg.sender, address(this), amount);
        selfStake[operator] += amount;
    }

    /// @notice Delegate RGL pulled from the caller to `operator`'s pool.
    function delegate(address operator, uint256 amount) external {
        rgl.safeTransferFrom(msg.sender, address(this), amount);
        delegatedStake[operator] += amount;
    }

    /// @notice Forward a capacity record to a listener, as OperatorStaking does.
    function recordCapacity(
        ICapacityListener listener,
        address operator,
        bytes32 challengeId,
        uint64 opsPerSec,
        uint64 validUntil
    ) external {
        listener.onCapacityRecorded(operator, challengeId, opsPerSec, validUntil);
    }

    function freeStake(address operator) external view returns (uint256) {
        return selfStake[operator] - locked[operator];
    }

    function capacityOf(address operator) external view returns (Capacity memory) {
        return _capacity[operator];
    }

    function eligibilityOf(address operator) external view returns (Eligibility memory) {
        Capacity storage c = _capacity[operator];
        return
            Eligibility({
                registered: isRegistered[operator],
                jailedUntil: jailedUntil[operator],
                opsPerSec: c.opsPerSec,
                vramMiB: c.vramMiB,
                capacityValidUntil: c.validUntil,
                freeStake: selfStake[operator] - locked[operator]
            });
    }

    function lockCollateral(address operator, uint256 amount) external {
        if (msg.sender != market) revert TestStakingNotMarket(msg.sender);
        uint256 free = selfStake[operator] - locked[operator];
        if (amount > free) revert TestStakingInsufficientFree(free, amount);
        locked[operator] += amount;
    }

    function unlockCollateral(address operator, uint256 amount) external {
        if (msg.sender != market) revert TestStakingNotMarket(msg.sender);
        locked[operator] -= amount;
    }

    function slash(
        address operator,
        uint256 amount,
        uint256 lockedToRelease,
        address recipient,
        uint16 recipientBps
    ) external returns (uint256 slashed) {
        if (msg.sender != market) revert TestStakingNotMarket(msg.sender);
        locked[operator] -= lockedToRelease;
        uint256 own = selfStake[operator];
        uint256 fromSelf = amount < own ? amount : own;
        uint256 fromPool = amount - fromSelf;
        if (fromPool > delegatedStake[operator]) fromPool = delegatedStake[operator];
        selfStake[operator] = own - fromSelf;
        delegatedStake[operator] -= fromPool;
        if (locked[operator] > selfStake[operator]) locked[operator] = selfStake[operator];
        slashed = fromSelf + fromPool;
        jailedUntil[operator] = uint64(block.timestamp) + jailPeriod;
        uint256 toRecipient = (slashed * recipientBps) / 10_000;
        emit TestSlashed(operator, slashed, recipient, toRecipient);
        if (toRecipient > 0) rgl.safeTransfer(recipient, toRecipient);
        if (slashed > toRecipient) rgl.burn(slashed - toRecipient);
    }

    /// @notice The reward base: today's figures (the double keeps no history).
    function rewardBase(address operator, uint64) external view returns (RewardBase memory) {
        return RewardBase(selfStake[operator], delegatedStake[operator], commissionBps[operator]);
    }

    function addPoolRewards(address operator, uint256 amount, uint64) external {
        rgl.safeTransferFrom(msg.sender, address(this), amount);
        delegatedStake[operator] += amount;
    }
}
