// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SlashWaterfall
/// @notice The order in which a slash takes an operator's RGL (PROTOCOL §6.4), as pure arithmetic:
/// release the collateral of the slashed shard, then take the free self-stake, then the thawing
/// self-stake (second thaw slot first), then the rest of the locked self-stake, then the delegation
/// pool's active tokens, then its thawing tokens. Never takes more than `amount` nor more than there is.
library SlashWaterfall {
    /// @notice What an operator has at stake, before and after a slash.
    /// @param selfStake Active self-stake (locked included).
    /// @param locked Self-stake locked as collateral.
    /// @param selfThawing Thawing self-stake (both slots).
    /// @param selfThaw0 The first thaw slot's part of `selfThawing` (the rest is the second slot).
    /// @param poolTokens The delegation pool's active tokens.
    /// @param thawTokens The delegation pool's thawing tokens.
    struct Stakes {
        uint256 selfStake;
        uint256 locked;
        uint256 selfThawing;
        uint256 selfThaw0;
        uint256 poolTokens;
        uint256 thawTokens;
    }

    /// @notice Slash `amount` from `s` in place after releasing `lockedToRelease` of its collateral.
    /// @param s The stakes (updated).
    /// @param amount RGL to slash (capped at what there is).
    /// @param lockedToRelease Collateral released first (capped at `s.locked`).
    /// @return fromSelf What was taken from the operator's own stake (free, thawing and locked).
    /// @return slashed Everything taken (`fromSelf` plus the pool's part), at most `amount`.
    function take(
        Stakes memory s,
        uint256 amount,
        uint256 lockedToRelease
    ) internal pure returns (uint256 fromSelf, uint256 slashed) {
        s.locked -= Math.min(lockedToRelease, s.locked);
        uint256 left = amount;
        // Free self-stake (the released collateral first in effect).
        uint256 t = Math.min(left, s.selfStake - s.locked);
        s.selfStake -= t;
        left -= t;
        // Thawing self-stake: the second slot (the later one) first, then the first slot.
        t = Math.min(left, s.selfThawing);
        uint256 second = s.selfThawing - s.selfThaw0;
        if (t > second) s.selfThaw0 -= t - second;
        s.selfThawing -= t;
        left -= t;
        // The rest of the locked self-stake (other shards' collateral).
        t = Math.min(left, s.selfStake);
        s.selfStake -= t;
        s.locked -= t;
        left -= t;
        fromSelf = amount - left;
        // The delegation pool: active tokens, then thawing tokens.
        t = Math.min(left, s.poolTokens);
        s.poolTokens -= t;
        left -= t;
        t = Math.min(left, s.thawTokens);
        s.thawTokens -= t;
        left -= t;
        slashed = amount - left;
    }

    /// @notice The split of a slash: `recipientBps` of it to the recipient (nothing when it is the
    /// zero address), the rest burned; rounded down for the recipient.
    /// @param slashed RGL slashed.
    /// @param recipient The recipient (zero: burn all).
    /// @param recipientBps The recipient's share in basis points (≤ 10^4, checked by the caller).
    /// @return toRecipient Paid to the recipient.
    /// @return burned Burned.
    function split(
        uint256 slashed,
        address recipient,
        uint16 recipientBps
    ) internal pure returns (uint256 toRecipient, uint256 burned) {
        toRecipient = recipient == address(0) ? 0 : (slashed * recipientBps) / 10_000;
        burned = slashed - toRecipient;
    }
}
