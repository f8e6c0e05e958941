// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MarketMath
/// @notice Escrow, collateral and RGL conversion arithmetic of the JobMarket.
library MarketMath {
    uint256 private constant _BPS = 10_000;
    uint256 private constant _WAD = 1e18;

    /// @notice A shard's maximum value: `maxUnits × maxPrice` (< 2^160: prices are stored in 96 bits).
    /// @param maxUnits Max units per shard.
    /// @param maxPrice Max price per unit.
    /// @return The value in payment-token units.
    function shardValue(uint64 maxUnits, uint96 maxPrice) internal pure returns (uint256) {
        return uint256(maxUnits) * maxPrice;
    }

    /// @notice What a shard pays for `units` used: `pay = units × price` to split between the operator
    /// (`pay − fee`) and the protocol (`fee = ⌊pay × feeBps / 10^4⌋`, rounded down), and the refund
    /// `value − pay` to the developer. Reverts (underflow) when `units × price > value`, which the market
    /// rules out by capping `units` at the shard's max units.
    /// @param units Units paid for (≤ the shard's max units).
    /// @param price Max price per unit.
    /// @param value The shard's value (`shardValue`).
    /// @param feeBps Protocol fee in basis points (≤ 10^4).
    /// @return pay Total paid for the units (operator plus fee).
    /// @return fee The protocol's share of `pay`.
    /// @return refund What goes back to the developer.
    function payment(
        uint64 units,
        uint96 price,
        uint256 value,
        uint16 feeBps
    ) internal pure returns (uint256 pay, uint256 fee, uint256 refund) {
        // A 64-bit count times a 96-bit price, times a 16-bit rate: no overflow.
        unchecked {
            pay = uint256(units) * price;
            fee = (pay * feeBps) / _BPS;
        }
        refund = value - pay;
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
        // Below 2^128 the product fits 256 bits: the plain floor division, the same result cheaper.
        if (amount <= type(uint128).max) return (amount * rglPerToken) / _WAD;
        return Math.mulDiv(amount, rglPerToken, _WAD);
    }
}
