// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICapacityListener} from "../interfaces/ICapacityListener.sol";

/// @title CapacityListenerMock
/// @notice Test double: records each call, or reverts when told to.
contract CapacityListenerMock is ICapacityListener {
    /// @notice The listener was told to revert.
    error ListenerMockRejected();

    /// @notice A call was received.
    /// @param operator The operator.
    /// @param challengeId The challenge.
    /// @param opsPerSec Throughput.
    /// @param validUntil Expiry.
    event Heard(address operator, bytes32 challengeId, uint64 opsPerSec, uint64 validUntil);

    /// @notice Number of calls received.
    uint256 public calls;
    /// @notice When true, every call reverts.
    bool public rejecting;

    /// @notice Make every later call revert (or not).
    /// @param value True to revert.
    function setRejecting(bool value) external {
        rejecting = value;
    }

    /// @inheritdoc ICapacityListener
    function onCapacityRecorded(address operator, bytes32 challengeId, uint64 opsPerSec, uint64 validUntil) external {
        if (rejecting) revert ListenerMockRejected();
        ++calls;
        emit Heard(operator, challengeId, opsPerSec, validUntil);
    }

    /// @inheritdoc ICapacityListener
    function beforeStakeChange(address) external pure {}

    /// @inheritdoc ICapacityListener
    function onSlashed(address) external pure {}

    /// @inheritdoc ICapacityListener
    /// @dev No clock: staking runs without reward epochs.
    function epochClock() external pure returns (uint64 genesis, uint64 epochLength) {
        return (0, 0);
    }
}
