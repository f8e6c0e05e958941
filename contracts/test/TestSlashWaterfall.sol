// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SlashWaterfall} from "../libraries/SlashWaterfall.sol";

/// @title TestSlashWaterfall
/// @notice TEST HARNESS exposing the SlashWaterfall library.
contract TestSlashWaterfall {
    function take(
        SlashWaterfall.Stakes calldata given,
        uint256 amount,
        uint256 lockedToRelease
    ) external pure returns (SlashWaterfall.Stakes memory s, uint256 fromSelf, uint256 slashed) {
        s = given;
        (fromSelf, slashed) = SlashWaterfall.take(s, amount, lockedToRelease);
    }

    function split(
        uint256 slashed,
        address recipient,
        uint16 recipientBps
    ) external pure returns (uint256 toRecipient, uint256 burned) {
        return SlashWaterfall.split(slashed, recipient, recipientBps);
    }
}
