// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IComputeToken} from "./interfaces/IComputeToken.sol";

/// @title ComputeToken (RGL)
/// @notice The Rigel staking and reward token. No vote checkpoints: nothing reads them, and every
/// mint, burn and transfer would pay for them (PROTOCOL §2).
contract ComputeToken is IComputeToken, ERC20, ERC20Permit, ERC20Burnable, ERC20Capped, AccessControl {
    /// @inheritdoc IComputeToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin The account given `DEFAULT_ADMIN_ROLE` (the timelock in a deployment).
    /// @param genesisRecipient The account that receives the genesis supply.
    /// @param genesisSupply The amount minted at deployment (may be zero).
    /// @param supplyCap The hard cap on total supply.
    constructor(
        address admin,
        address genesisRecipient,
        uint256 genesisSupply,
        uint256 supplyCap
    ) ERC20("Rigel Compute", "RGL") ERC20Permit("Rigel Compute") ERC20Capped(supplyCap) {
        if (admin == address(0)) revert RGLZeroAdmin();
        if (genesisSupply > 0 && genesisRecipient == address(0)) revert RGLGenesisWithoutRecipient(genesisSupply);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (genesisSupply > 0) _mint(genesisRecipient, genesisSupply);
    }

    /// @inheritdoc IComputeToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
        emit Minted(msg.sender, to, amount);
    }

    /// @inheritdoc IComputeToken
    function cap() public view override(IComputeToken, ERC20Capped) returns (uint256) {
        return super.cap();
    }

    /// @inheritdoc IComputeToken
    function burn(uint256 amount) public override(IComputeToken, ERC20Burnable) {
        super.burn(amount);
    }

    /// @inheritdoc IComputeToken
    function burnFrom(address account, uint256 amount) public override(IComputeToken, ERC20Burnable) {
        super.burnFrom(account, amount);
    }

    /// @dev One balance hook: the cap's check on mints.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
