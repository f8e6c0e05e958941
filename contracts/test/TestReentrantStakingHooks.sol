// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ICapacityListener} from "../interfaces/ICapacityListener.sol";
import {IComputeToken} from "../interfaces/IComputeToken.sol";
import {IStakingHooks} from "../interfaces/IStakingHooks.sol";

/// @title TestReentrantStakingHooks
/// @notice TEST DOUBLE of the staking reads and the pool payment the RewardsDistributor makes. Once
/// armed, `addPoolRewards` calls `hookTarget` with `payload` and bubbles its revert, to prove that
/// paying a delegation pool cannot re-enter the distributor. Not for deployment.
contract TestReentrantStakingHooks {
    using SafeERC20 for IComputeToken;

    IComputeToken public immutable rgl;
    address public hookTarget;
    bytes public payload;

    constructor(IComputeToken rgl_) {
        rgl = rgl_;
    }

    /// @notice Call `target_` with `payload_` on the next pool payment.
    function arm(address target_, bytes calldata payload_) external {
        hookTarget = target_;
        payload = payload_;
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

    /// @notice No commission: the whole reward is split by stake.
    function commissionBps(address) external pure returns (uint16) {
        return 0;
    }

    /// @notice Equal self-stake and delegated stake, so every reward pays the pool.
    function selfStake(address) external pure returns (uint256) {
        return 1_000 ether;
    }

    /// @notice Equal self-stake and delegated stake, so every reward pays the pool.
    function delegatedStake(address) external pure returns (uint256) {
        return 1_000 ether;
    }

    /// @notice Zero: a record's issue time is its `validUntil`.
    function capacityValidity() external pure returns (uint64) {
        return 0;
    }

    /// @notice Never jailed.
    function jailedUntil(address) external pure returns (uint64) {
        return 0;
    }

    /// @notice The same equal stakes and no commission in every epoch.
    function rewardBase(address, uint64) external pure returns (IStakingHooks.RewardBase memory) {
        return IStakingHooks.RewardBase(1_000 ether, 1_000 ether, 0);
    }

    /// @notice Pull the pool's share, then (when armed) call back.
    function addPoolRewards(address, uint256 amount, uint64) external {
        rgl.safeTransferFrom(msg.sender, address(this), amount);
        address target = hookTarget;
        if (target == address(0)) return;
        hookTarget = address(0);
        Address.functionCall(target, payload);
    }
}
