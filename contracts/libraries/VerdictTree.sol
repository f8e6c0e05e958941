// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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
    /// @return h The leaf.
    function leaf(IOracleCommittee.ShardVerdict calldata v) internal pure returns (bytes32 h) {
        // `ShardVerdict` is six static words, so its calldata is its `abi.encode` when every field is
        // clean; a dirty field hashes to another leaf here and reverts where the market reads it.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, v, 0xc0)
            mstore(0x00, keccak256(ptr, 0xc0))
            h := keccak256(0x00, 0x20)
        }
    }

    /// @notice The root over `leaves` (at least one), computed in place: `leaves` is overwritten.
    /// @param leaves The leaf hashes in tree order.
    /// @return root The root.
    function rootInPlace(bytes32[] memory leaves) internal pure returns (bytes32 root) {
        // Each pass halves n (rounding up) until one node is left: ⌈log2 n⌉ passes, n − 1 hashes. The
        // same as pairing with OZ `Hashes.commutativeKeccak256`, in assembly (no bounds checks: every
        // index is below n ≤ leaves.length).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let n := mload(leaves)
            let base := add(leaves, 0x20)
            for {} gt(n, 1) {} {
                let m := 0
                for {
                    let i := 0
                } lt(add(i, 1), n) {
                    i := add(i, 2)
                } {
                    let a := mload(add(base, shl(5, i)))
                    let b := mload(add(base, shl(5, add(i, 1))))
                    if gt(a, b) {
                        let t := a
                        a := b
                        b := t
                    }
                    mstore(0x00, a)
                    mstore(0x20, b)
                    mstore(add(base, shl(5, m)), keccak256(0x00, 0x40))
                    m := add(m, 1)
                }
                if and(n, 1) {
                    mstore(add(base, shl(5, m)), mload(add(base, shl(5, sub(n, 1)))))
                    m := add(m, 1)
                }
                n := m
            }
            root := mload(base)
        }
    }
}
