// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MarketMath
/// @notice Escrow, collateral and RGL conversion arithmetic of the JobMarket.
library MarketMath {
    uint256 private constant _BPS = 10_000;
    uint256 private constant _WAD = 1e18;

    /// @notice A shard's maximum value: `maxUnits × maxPrice` (< 2^192, so `× 64` shards fits).
    /// @param maxUnits Max units per shard.
    /// @param maxPrice Max price per unit.
    /// @return The value in payment-token units.
    function shardValue(uint64 maxUnits, uint128 maxPrice) internal pure returns (uint256) {
        return uint256(maxUnits) * maxPrice;
    }

    /// @notice Collateral in RGL: `⌈value × ratioBps / 10^4 × rate / 10^18⌉`.
    /// @param value Shard value in payment-token units.
    /// @param ratioBps Collateral ratio in basis points.
    /// @param rglPerToken RGL per token, 1e18-scaled.
    /// @return RGL wei.
    function collateral(uint256 value, uint32 ratioBps, uint128 rglPerToken) internal pure returns (uint256) {
        return Math.mulDiv(value, uint256(ratioBps) * rglPerToken, _BPS * _WAD, Math.Rounding.Ceil);
    }

    /// @notice An amount of payment token in RGL, rounded down: `amount × rate / 10^18`.
    /// @param amount Payment-token units.
    /// @param rglPerToken RGL per token, 1e18-scaled.
    /// @return RGL wei.
    function toRgl(uint256 amount, uint128 rglPerToken) internal pure returns (uint256) {
        return Math.mulDiv(amount, rglPerToken, _WAD);
    }
}
