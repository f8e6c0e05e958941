// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICapacityListener
/// @notice The rewards side of OperatorStaking (the RewardsDistributor): told each time a valid
/// CapacityAttestation is recorded, before every change of an operator's stake, delegation pool or
/// commission, and on every slash; it also gives staking the epoch clock (PROTOCOL §6.8, §10.7).
interface ICapacityListener {
    /// @notice A capacity attestation was recorded for `operator`.
    /// @param operator The operator.
    /// @param challengeId The capacity challenge that was passed (each counts once).
    /// @param opsPerSec The attested throughput.
    /// @param validUntil When the capacity record expires.
    function onCapacityRecorded(address operator, bytes32 challengeId, uint64 opsPerSec, uint64 validUntil) external;

    /// @notice Called by staking before it changes `operator`'s self-stake, delegation pool or
    /// commission: settles the operator's open epoch when it is in the past (O(1)), so that a
    /// past epoch is always split by the stake that was at risk during it.
    /// @param operator The operator.
    function beforeStakeChange(address operator) external;

    /// @notice Called by staking when `operator` is slashed: forfeits its open epoch and every
    /// later credit of the current epoch.
    /// @param operator The operator.
    function onSlashed(address operator) external;

    /// @notice The epoch clock: `epoch(t) = (t - genesis) / epochLength` (0 up to genesis). A zero
    /// `epochLength` means no clock (staking then runs without reward epochs).
    /// @return genesis The start of epoch 0.
    /// @return epochLength Seconds per epoch.
    function epochClock() external view returns (uint64 genesis, uint64 epochLength);
}
