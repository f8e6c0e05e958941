"""The row commitment of docs/PROTOCOL.md §3.3, identical to the TypeScript sdk's.

rowHash_i = sha256(row i of C as int32 little-endian). The root is that of OpenZeppelin's
StandardMerkleTree (default options) over the leaves [i, rowHash_i] typed ["uint256", "bytes32"]:
leaf = keccak256(keccak256(abi.encode(i, rowHash_i))); leaves sorted ascending by hash; the tree
is an array of 2L−1 nodes with leaf j (in sorted order) at index 2L−2−j and node i =
keccak256(sort(node 2i+1, node 2i+2)), as in @openzeppelin/merkle-tree's makeMerkleTree.
"""

import hashlib

import numpy as np

from .keccak import keccak256_batch


def row_hashes(c):
    """sha256 of every row of C (m×n int32) as little-endian bytes: an (m, 32) uint8 array."""
    c = np.ascontiguousarray(c, dtype="<i4")
    out = np.empty((c.shape[0], 32), dtype=np.uint8)
    for i in range(c.shape[0]):
        out[i] = np.frombuffer(hashlib.sha256(c[i].tobytes()).digest(), dtype=np.uint8)
    return out


def _be_words(hashes):
    """(N, 32) bytes → (N, 4) big-endian uint64 words, for lexicographic comparison."""
    return np.ascontiguousarray(hashes).view(">u8").astype(np.uint64)


def leaf_hashes(hashes):
    """keccak256(keccak256(abi.encode(uint256 i, bytes32 rowHash_i))) for every row."""
    count = hashes.shape[0]
    encoded = np.zeros((count, 64), dtype=np.uint8)
    index_be = np.arange(count, dtype=np.uint64).astype(">u8").view(np.uint8).reshape(count, 8)
    encoded[:, 24:32] = index_be
    encoded[:, 32:] = hashes
    return keccak256_batch(keccak256_batch(encoded))


def _hash_pairs(left, right):
    """keccak256 of each pair concatenated in ascending byte order."""
    lw, rw = _be_words(left), _be_words(right)
    greater = np.zeros(left.shape[0], dtype=bool)
    decided = np.zeros(left.shape[0], dtype=bool)
    for col in range(4):
        greater |= ~decided & (lw[:, col] > rw[:, col])
        decided |= lw[:, col] != rw[:, col]
    low = np.where(greater[:, None], right, left)
    high = np.where(greater[:, None], left, right)
    return keccak256_batch(np.concatenate([low, high], axis=1))


def merkle_tree(hashes):
    """The whole tree as a (2L−1, 32) uint8 array in OpenZeppelin's layout; node 0 is the root."""
    hashes = np.asarray(hashes, dtype=np.uint8).reshape(-1, 32)
    count = hashes.shape[0]
    if count == 0:
        raise ValueError("cannot commit to zero rows")
    leaves = leaf_hashes(hashes)
    words = _be_words(leaves)
    order = np.lexsort((words[:, 3], words[:, 2], words[:, 1], words[:, 0]))
    size = 2 * count - 1
    tree = np.zeros((size, 32), dtype=np.uint8)
    tree[size - 1 - np.arange(count)] = leaves[order]
    internal = count - 1  # nodes 0 … count−2
    if internal > 0:
        depth = internal.bit_length() - 1  # the depth of node internal−1, the deepest internal node
        # Children are one level deeper than their parent: hash level by level, deepest first.
        while depth >= 0:
            first = (1 << depth) - 1
            last = min((1 << (depth + 1)) - 2, internal - 1)
            if first <= last:
                nodes = np.arange(first, last + 1)
                tree[nodes] = _hash_pairs(tree[2 * nodes + 1], tree[2 * nodes + 2])
            depth -= 1
    return tree


def merkle_root(hashes) -> bytes:
    """The StandardMerkleTree root over [i, rowHash_i]."""
    return merkle_tree(hashes)[0].tobytes()
