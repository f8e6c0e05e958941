// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

/// @title HostileToken
/// @notice Test double: a burnable ERC-20 that, once armed, calls back into `target` with `data`
/// on every transfer, to prove that the staking contract's entrypoints cannot be re-entered.
contract HostileToken is ERC20, ERC20Burnable {
    address private _target;
    bytes private _data;

    constructor() ERC20("Hostile", "HOST") {}

    /// @notice Mint freely (test only).
    /// @param to Recipient.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm the callback (a zero target disarms it).
    /// @param target The contract to call back.
    /// @param data The calldata.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = _target;
        if (target != address(0)) {
            _target = address(0);
            Address.functionCall(target, _data);
        }
    }
}
