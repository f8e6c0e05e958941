// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IComputeToken
/// @notice The RGL token: ERC-20 with EIP-2612 permit, burning and a hard cap (no ERC-5805
/// votes: PROTOCOL §2).
/// @dev New supply is minted only by holders of `MINTER_ROLE` (the RewardsDistributor), and never
/// above `cap()`. The genesis supply is minted once, in the constructor.
interface IComputeToken is IERC20 {
    /// @notice The genesis recipient was the zero address while a genesis supply was asked for.
    /// @param amount The genesis supply that had no recipient.
    error RGLGenesisWithoutRecipient(uint256 amount);

    /// @notice The admin given to the constructor was the zero address.
    error RGLZeroAdmin();

    /// @notice Emitted when new RGL is minted by a minter.
    /// @param minter The account holding `MINTER_ROLE` that minted.
    /// @param to The recipient of the new tokens.
    /// @param amount The amount minted.
    event Minted(address indexed minter, address indexed to, uint256 amount);

    /// @notice The role allowed to mint new RGL.
    /// @return The role identifier, `keccak256("MINTER_ROLE")`.
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice The hard cap on total supply.
    /// @return The cap, in token units (18 decimals).
    function cap() external view returns (uint256);

    /// @notice Mint `amount` RGL to `to`. Only `MINTER_ROLE`; reverts above the cap.
    /// @param to The recipient.
    /// @param amount The amount to mint.
    function mint(address to, uint256 amount) external;

    /// @notice Burn `amount` of the caller's RGL.
    /// @param amount The amount to burn.
    function burn(uint256 amount) external;

    /// @notice Burn `amount` of `account`'s RGL, spending the caller's allowance.
    /// @param account The holder whose tokens are burned.
    /// @param amount The amount to burn.
    function burnFrom(address account, uint256 amount) external;
}
