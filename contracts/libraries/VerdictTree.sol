// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {IOracleCommittee} from "../interfaces/IOracleCommittee.sol";

/// @title VerdictTree
/// @notice The Merkle tree of a verdict batch (PROTOCOL §20.4). Leaf: `keccak256(bytes.concat(
/// keccak256(abi.encode(jobId, shard, operator, resultRoot, verdict, units))))`, double-hashed as in
/// OpenZeppelin's StandardMerkleTree so that a 64-byte inner node can never pass for a leaf. Tree:
/// built level by level over the leaves in the order given, each pair hashed commutatively (sorted
/// pair, OZ `Hashes.commutativeKeccak256`), an odd last node carried up unchanged; the root of one
/// leaf is the leaf. Inclusion proofs verify with OZ `MerkleProof.verify`.
library VerdictTree {
    /// @notice The leaf hash of a verdict.
    /// @param v The verdict.
    /// @return The leaf.
    function leaf(IOracleCommittee.ShardVerdict calldata v) internal pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(keccak256(abi.encode(v.jobId, v.shard, v.operator, v.resultRoot, v.verdict, v.units)))
            );
    }

    /// @notice The root over `leaves` (at least one), computed in place: `leaves` is overwritten.
    /// @param leaves The leaf hashes in tree order.
    /// @return The root.
    function rootInPlace(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        // Each pass halves n (rounding up) until one node is left: ⌈log2 n⌉ passes, n − 1 hashes.
        while (n > 1) {
            uint256 m = 0;
            for (uint256 i = 0; i + 1 < n; i += 2) {
                leaves[m++] = Hashes.commutativeKeccak256(leaves[i], leaves[i + 1]);
            }
            if (n % 2 == 1) leaves[m++] = leaves[n - 1];
            n = m;
        }
        return leaves[0];
    }
}
