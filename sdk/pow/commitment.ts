import { createHash } from "node:crypto";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { encodeInt32LE } from "./encodeInt32LE";
import { PowWorkloadError } from "./errors";

/** The leaf encoding of the row tree: `[rowIndex, rowHash]`. */
export const ROW_LEAF_ENCODING = ["uint256", "bytes32"] as const;

/** A row tree leaf: the row index (as a decimal string or bigint) and the row's sha256. */
export type RowLeaf = [bigint | string, Hex];

/** `rowHash = sha256(row of C as int32 little-endian)`. */
export function rowHash(row: Int32Array): Hex {
  return `0x${createHash("sha256").update(encodeInt32LE(row)).digest("hex")}`;
}

/** The sha256 of every row of C (m×n, row-major). */
export function rowHashes(c: Int32Array, m: number, n: number): Hex[] {
  if (c.length !== m * n)
    throw new PowWorkloadError("C does not have m·n elements", { details: { m, n, length: c.length } });
  const hashes: Hex[] = new Array(m);
  for (let i = 0; i < m; i++) hashes[i] = rowHash(c.subarray(i * n, (i + 1) * n));
  return hashes;
}

/** The committed result: the row tree, its root, and a proof for any row. */
export interface RowCommitment {
  root: Hex;
  tree: StandardMerkleTree<RowLeaf>;
  /** The Merkle proof of row i (leaf `[i, rowHash_i]`). */
  proof(row: number): Hex[];
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * The row tree as an OpenZeppelin StandardMerkleTree, built without its generic ABI encoder (which
 * costs most of the time for thousands of rows): the same leaves, order and layout as
 * `StandardMerkleTree.of(leaves, ["uint256", "bytes32"])`, which the tests check node for node.
 */
class RowTree extends StandardMerkleTree<RowLeaf> {
  /** The tree's nodes (hex, root first) and each row's node index, kept for {@link rowProof}. */
  private rows: { nodes: Hex[]; treeIndex: number[] } = { nodes: [], treeIndex: [] };

  /**
   * The proof of row `row`: the siblings from its leaf to the root, read off the tree this class built
   * (the same as `getProof(row)`, which first re-encodes and re-hashes the value with the generic ABI
   * encoder and verifies the proof it made: most of an agent's proving time for a small shard).
   */
  rowProof(row: number): Hex[] {
    let index = this.rows.treeIndex[row];
    if (index === undefined) throw new PowWorkloadError("no such row in the tree", { details: { row } });
    const proof: Hex[] = [];
    while (index > 0) {
      proof.push(this.rows.nodes[index % 2 === 1 ? index + 1 : index - 1]);
      index = Math.floor((index - 1) / 2);
    }
    return proof;
  }

  static fromRowHashes(hashes: readonly Hex[]): RowTree {
    const count = hashes.length;
    // abi.encode(uint256 i, bytes32 hash): i big-endian in the first word (i < 2^32).
    const leaves = hashes.map((hash, i) => ({ row: i, leaf: rowLeaf(i, hash) }));
    leaves.sort((x, y) => compareBytes(x.leaf, y.leaf));
    const size = 2 * count - 1;
    const nodes: Uint8Array[] = new Array(size);
    const values: { value: RowLeaf; treeIndex: number }[] = new Array(count);
    leaves.forEach(({ row, leaf }, s) => {
      nodes[size - 1 - s] = leaf;
      values[row] = { value: [BigInt(row), hashes[row]], treeIndex: size - 1 - s };
    });
    const pair = new Uint8Array(64);
    for (let x = size - 1 - count; x >= 0; x--) {
      const left = nodes[2 * x + 1];
      const right = nodes[2 * x + 2];
      const [low, high] = compareBytes(left, right) <= 0 ? [left, right] : [right, left];
      pair.set(low, 0);
      pair.set(high, 32);
      nodes[x] = keccak256(pair, "bytes");
    }
    const hexNodes = nodes.map((node) => bytesToHex(node));
    const tree = new RowTree(hexNodes, values, [...ROW_LEAF_ENCODING]);
    tree.rows = { nodes: hexNodes, treeIndex: values.map((v) => v.treeIndex) };
    return tree;
  }
}

/**
 * Builds the row tree of docs/PROTOCOL.md §3.3 and §3.9: an OpenZeppelin StandardMerkleTree (default options, leaves
 * sorted) over `[i, rowHash_i]` typed `["uint256", "bytes32"]`.
 */
export function commitRows(hashes: readonly Hex[]): RowCommitment {
  if (hashes.length === 0) throw new PowWorkloadError("cannot commit to zero rows");
  for (let i = 0; i < hashes.length; i++) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hashes[i])) {
      throw new PowWorkloadError("a row hash is not 32 bytes of hex", { details: { row: i } });
    }
  }
  const tree = RowTree.fromRowHashes(hashes);
  // Values keep their row order, so the value index of row i is i.
  return { root: tree.root as Hex, tree, proof: (row: number) => tree.rowProof(row) };
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** `keccak256(keccak256(abi.encode(uint256 row, bytes32 hash)))`: the row tree's leaf (OpenZeppelin's standard leaf). */
function rowLeaf(row: number, hash: Hex): Uint8Array {
  const encoded = new Uint8Array(64);
  new DataView(encoded.buffer).setUint32(28, row);
  encoded.set(hexToBytes(hash), 32);
  return keccak256(keccak256(encoded, "bytes"), "bytes");
}

/**
 * Whether `proof` leads from the leaf `[row, rowHash]` to `root` (OpenZeppelin's `processProof`: each
 * step hashes the sorted pair), computed without the generic ABI encoder, whose parser errors and
 * re-encoding were most of an oracle's verifying time. Malformed input is "false", never a throw.
 */
export function verifyRowProof(root: Hex, row: number, hash: Hex, proof: readonly Hex[]): boolean {
  if (!Number.isSafeInteger(row) || row < 0 || row >= 2 ** 32) return false;
  if (!BYTES32.test(root) || !BYTES32.test(hash) || !proof.every((p) => BYTES32.test(p))) return false;
  let node = rowLeaf(row, hash);
  const pair = new Uint8Array(64);
  for (const sibling of proof) {
    const other = hexToBytes(sibling);
    const [low, high] = compareBytes(node, other) <= 0 ? [node, other] : [other, node];
    pair.set(low, 0);
    pair.set(high, 32);
    node = keccak256(pair, "bytes");
  }
  return bytesToHex(node) === root.toLowerCase();
}
