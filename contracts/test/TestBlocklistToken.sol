// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestBlocklistToken
/// @notice TEST token with a USDC/USDT-style blocklist: transfers from or to a blocked address
/// revert. Not for deployment.
contract TestBlocklistToken is ERC20 {
    /// @notice `account` is blocked by the issuer.
    error TestTokenBlocked(address account);

    mapping(address account => bool) public blocked;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert TestTokenBlocked(from);
        if (blocked[to]) revert TestTokenBlocked(to);
        super._update(from, to, value);
    }
}
