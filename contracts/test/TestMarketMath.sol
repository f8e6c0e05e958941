// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMath} from "../libraries/MarketMath.sol";

/// @title TestMarketMath
/// @notice TEST HARNESS: MarketMath's conversions called directly.
contract TestMarketMath {
    function toRgl(uint256 amount, uint128 rglPerToken) external pure returns (uint256) {
        return MarketMath.toRgl(amount, rglPerToken);
    }
}
