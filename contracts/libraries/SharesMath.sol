// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SharesMath
/// @notice Conversions between pool tokens and pool shares with a virtual offset, so that the first
/// depositor cannot inflate the share price against later ones (Morpho Blue's SharesMathLib).
/// @dev A pool with `totalTokens` and `totalShares` prices a share at
/// `(totalTokens + VIRTUAL_TOKENS) / (totalShares + VIRTUAL_SHARES)`. Rounding always favours the pool.
library SharesMath {
    /// @dev The virtual shares of every pool: 1e6 shares per virtual token, so that a donation of
    /// `d` tokens to an empty pool costs an attacker `d` while it can steal at most `d / 1e6`.
    uint256 internal constant VIRTUAL_SHARES = 1e6;

    /// @dev The virtual tokens of every pool.
    uint256 internal constant VIRTUAL_TOKENS = 1;

    /// @notice Shares minted for `tokens`, rounded down.
    function toSharesDown(uint256 tokens, uint256 totalTokens, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(tokens, totalShares + VIRTUAL_SHARES, totalTokens + VIRTUAL_TOKENS);
    }

    /// @notice Shares burned for `tokens`, rounded up.
    function toSharesUp(uint256 tokens, uint256 totalTokens, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(tokens, totalShares + VIRTUAL_SHARES, totalTokens + VIRTUAL_TOKENS, Math.Rounding.Ceil);
    }

    /// @notice Tokens owed for `shares`, rounded down.
    function toTokensDown(uint256 shares, uint256 totalTokens, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalTokens + VIRTUAL_TOKENS, totalShares + VIRTUAL_SHARES);
    }
}
