// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Governance is OpenZeppelin's TimelockController, unchanged. This import makes Hardhat compile it,
// so that tests and the Ignition deployment can deploy the artifact "TimelockController".
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
