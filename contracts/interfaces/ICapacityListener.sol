// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICapacityListener
/// @notice Told by OperatorStaking each time a valid CapacityAttestation is recorded, so that the
/// RewardsDistributor can credit availability points.
interface ICapacityListener {
    /// @notice A capacity attestation was recorded for `operator`.
    /// @param operator The operator.
    /// @param challengeId The capacity challenge that was passed (each counts once).
    /// @param opsPerSec The attested throughput.
    /// @param validUntil When the capacity record expires.
    function onCapacityRecorded(address operator, bytes32 challengeId, uint64 opsPerSec, uint64 validUntil) external;
}
