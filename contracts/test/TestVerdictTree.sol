// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IOracleCommittee} from "../interfaces/IOracleCommittee.sol";
import {VerdictTree} from "../libraries/VerdictTree.sol";

/// @title TestVerdictTree
/// @notice TEST HARNESS exposing the VerdictTree library (leaf, root) and OZ proof verification.
contract TestVerdictTree {
    function leaf(IOracleCommittee.ShardVerdict calldata v) external pure returns (bytes32) {
        return VerdictTree.leaf(v);
    }

    function root(IOracleCommittee.ShardVerdict[] calldata verdicts) external pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](verdicts.length);
        for (uint256 i = 0; i < verdicts.length; ++i) leaves[i] = VerdictTree.leaf(verdicts[i]);
        return VerdictTree.rootInPlace(leaves);
    }

    function verify(bytes32[] calldata proof, bytes32 root_, bytes32 leaf_) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root_, leaf_);
    }
}
