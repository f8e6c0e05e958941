// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestRevertingToken
/// @notice TEST token whose transfers revert while `failing` is set. Not for deployment.
contract TestRevertingToken is ERC20 {
    /// @notice Transfers are switched off.
    error TestTokenFailing();

    bool public failing;

    constructor() ERC20("Reverting Token", "REV") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (failing) revert TestTokenFailing();
        super._update(from, to, value);
    }
}
