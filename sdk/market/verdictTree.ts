import { concat, encodeAbiParameters, keccak256, type Hex } from "viem";
import { RigelError } from "../errors/RigelError";
import type { ShardVerdict } from "../eip712/types";

/**
 * The verdict tree of a batch (docs/PROTOCOL.md §20.4, §20.6): what `JobMarket.settleVerdicts`
 * recomputes from the leaves and the committee's `VerdictBatch` signs as `verdictsRoot`.
 *
 * - Leaf: `keccak256(keccak256(abi.encode(uint256 jobId, uint32 shard, address operator, bytes32
 *   resultRoot, uint8 verdict, uint64 units)))`, double-hashed as OpenZeppelin's StandardMerkleTree
 *   does, so that a leaf (the hash of 192 bytes) can never pass for an inner node (of 64).
 * - Tree: built level by level over the leaves **in the order given**; each pair is hashed sorted
 *   (`keccak256(min ‖ max)`, OpenZeppelin's commutative `Hashes.commutativeKeccak256`); an odd last
 *   node is carried up unchanged. The root of one leaf is the leaf.
 * - Proof: the siblings from the leaf up (none at a level where the node is carried up); it verifies
 *   with OpenZeppelin's `MerkleProof.verify(proof, root, leaf)`.
 */

/** The leaf list was empty, or an index lies outside it. */
export class VerdictTreeError extends RigelError {
  override readonly name = "VerdictTreeError";
}

const LEAF_TYPES = [
  { type: "uint256" },
  { type: "uint32" },
  { type: "address" },
  { type: "bytes32" },
  { type: "uint8" },
  { type: "uint64" },
] as const;

/** The leaf hash of one shard verdict. */
export function verdictLeafHash(v: ShardVerdict): Hex {
  return keccak256(
    keccak256(encodeAbiParameters(LEAF_TYPES, [v.jobId, v.shard, v.operator, v.resultRoot, v.verdict, v.units])),
  );
}

/** `keccak256` of the two nodes in ascending order (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** Every level of the tree, leaves first, root last. */
function levelsOf(leaves: readonly Hex[]): Hex[][] {
  if (leaves.length === 0) throw new VerdictTreeError("VERDICT_TREE_EMPTY", "a verdict tree needs at least one leaf");
  const levels: Hex[][] = [[...leaves]];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const above: Hex[] = [];
    for (let i = 0; i < below.length; i += 2)
      above.push(i + 1 < below.length ? hashPair(below[i], below[i + 1]) : below[i]);
    levels.push(above);
  }
  return levels;
}

/** The root over leaf hashes, in their order. Throws {@link VerdictTreeError} for none. */
export function verdictsRootOfLeaves(leaves: readonly Hex[]): Hex {
  const levels = levelsOf(leaves);
  return levels[levels.length - 1][0];
}

/** The root over shard verdicts, in their order (`verdictsRoot` of the batch). */
export function verdictsRoot(verdicts: readonly ShardVerdict[]): Hex {
  return verdictsRootOfLeaves(verdicts.map(verdictLeafHash));
}

/** The inclusion proof of leaf `index`: siblings from the leaf up, for `MerkleProof.verify`. */
export function verdictProof(verdicts: readonly ShardVerdict[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= verdicts.length)
    throw new VerdictTreeError("VERDICT_TREE_INDEX", `no leaf ${index} among ${verdicts.length}`, {
      details: { index, leaves: verdicts.length },
    });
  const levels = levelsOf(verdicts.map(verdictLeafHash));
  const proof: Hex[] = [];
  let i = index;
  for (const level of levels.slice(0, -1)) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(level[sibling]);
    i >>= 1;
  }
  return proof;
}

/** `MerkleProof.verify` in TypeScript: whether `proof` leads from `leaf` to `root`. */
export function verifyVerdictProof(proof: readonly Hex[], root: Hex, leaf: Hex): boolean {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), leaf).toLowerCase() === root.toLowerCase();
}
