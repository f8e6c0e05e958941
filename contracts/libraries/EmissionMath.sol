// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title EmissionMath
/// @notice Geometric emission schedule and per-operator reward shares.
library EmissionMath {
    uint256 private constant _BPS = 10_000;
    uint256 private constant _WAD = 1e18;

    /// @notice `initial × (1 − decayBps/10^4)^epoch`, by square-and-multiply in 1e18 fixed point:
    /// at most 64 squarings for a uint64 epoch (O(log epoch), never a loop over epochs).
    /// @dev Each step rounds down, so the result never exceeds the exact schedule.
    /// @param initial Emission of epoch 0.
    /// @param decayBps Decay per epoch, in basis points (< 10^4).
    /// @param epoch The epoch.
    /// @return The emission of `epoch`.
    function emission(uint256 initial, uint16 decayBps, uint64 epoch) internal pure returns (uint256) {
        uint256 base = ((_BPS - decayBps) * _WAD) / _BPS;
        uint256 factor = _WAD;
        uint256 e = epoch;
        while (e > 0 && factor > 0) {
            if (e & 1 == 1) factor = (factor * base) / _WAD;
            base = (base * base) / _WAD;
            e >>= 1;
        }
        return Math.mulDiv(initial, factor, _WAD);
    }

    /// @notice An operator's reward of an epoch: its pro-rata share of the work part (each point
    /// earning at most `capBps / 10^4` RGL) plus its pro-rata share of the availability part.
    /// @param epochEmission The epoch's emission.
    /// @param workShareBps Share of the emission for work points.
    /// @param capBps Most RGL one work point may earn, in basis points of a point.
    /// @param work The operator's work points.
    /// @param totalWork All work points of the epoch.
    /// @param avail The operator's availability points.
    /// @param totalAvail All availability points of the epoch.
    /// @return The reward, never above the epoch emission summed over all operators.
    function reward(
        uint256 epochEmission,
        uint16 workShareBps,
        uint16 capBps,
        uint256 work,
        uint256 totalWork,
        uint256 avail,
        uint256 totalAvail
    ) internal pure returns (uint256) {
        uint256 workPart = (epochEmission * workShareBps) / _BPS;
        uint256 r;
        if (work > 0) {
            r = Math.min(Math.mulDiv(workPart, work, totalWork), (work * capBps) / _BPS);
        }
        if (avail > 0) {
            r += Math.mulDiv(epochEmission - workPart, avail, totalAvail);
        }
        return r;
    }
}
