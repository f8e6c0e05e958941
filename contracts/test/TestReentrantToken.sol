// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title TestReentrantToken
/// @notice TEST token that calls `target` with `payload` on every transfer and bubbles a revert,
/// to prove that re-entering the market fails. Not for deployment.
contract TestReentrantToken is ERC20 {
    address public hookTarget;
    bytes public payload;

    constructor() ERC20("Reentrant Token", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        hookTarget = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = hookTarget;
        if (t == address(0) || from == address(0)) return;
        hookTarget = address(0);
        Address.functionCall(t, payload);
    }
}
