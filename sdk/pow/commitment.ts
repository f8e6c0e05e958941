import { createHash } from "node:crypto";
import { endianness } from "node:os";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { PowWorkloadError } from "./errors";

/** The leaf encoding of the row tree: `[rowIndex, rowHash]`. */
export const ROW_LEAF_ENCODING = ["uint256", "bytes32"] as const;

/** A row tree leaf: the row index (as a decimal string or bigint) and the row's sha256. */
export type RowLeaf = [bigint | string, Hex];

const LITTLE_ENDIAN_HOST = endianness() === "LE";

function littleEndianBytes(row: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  const bytes = new Uint8Array(row.length * 4);
  const view = new DataView(bytes.buffer);
  for (let j = 0; j < row.length; j++) view.setInt32(j * 4, row[j], true);
  return bytes;
}

/** `rowHash = sha256(row of C as int32 little-endian)`. */
export function rowHash(row: Int32Array): Hex {
  return `0x${createHash("sha256").update(littleEndianBytes(row)).digest("hex")}`;
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

/**
 * Builds the row tree of DESIGN §4: an OpenZeppelin StandardMerkleTree (default options, leaves
 * sorted) over `[i, rowHash_i]` typed `["uint256", "bytes32"]`.
 */
export function commitRows(hashes: readonly Hex[]): RowCommitment {
  if (hashes.length === 0) throw new PowWorkloadError("cannot commit to zero rows");
  const leaves: RowLeaf[] = hashes.map((hash, i) => [BigInt(i), hash]);
  const tree = StandardMerkleTree.of(leaves, [...ROW_LEAF_ENCODING]);
  // Values keep their insertion order, so the value index of row i is i.
  return { root: tree.root as Hex, tree, proof: (row: number) => tree.getProof(row) as Hex[] };
}

/** Whether `proof` leads from the leaf `[row, rowHash]` to `root`. Malformed input is "false", never a throw. */
export function verifyRowProof(root: Hex, row: number, hash: Hex, proof: readonly Hex[]): boolean {
  try {
    return StandardMerkleTree.verify(root, [...ROW_LEAF_ENCODING], [BigInt(row), hash], [...proof]);
  } catch {
    return false;
  }
}
