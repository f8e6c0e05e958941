import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { commitOutputs } from "../executor/commitOutputs";
import { SAMPLE_SIZE, sampleIndices } from "../pow/sample";

/** One sampled item of a container shard: its local index, its output hash and the leaf's Merkle proof. */
export interface SampledItem {
  /** The item's index inside the shard (the leaf index of the shard's outputs tree). */
  index: number;
  /** `itemHash_i` (docs/PROTOCOL.md §12.4). */
  outputHash: Hex;
  /** OpenZeppelin StandardMerkleTree proof of the leaf `[index, outputHash]`. */
  proof: Hex[];
}

/** Input of {@link revealItemSample}. */
export interface RevealItemSampleParameters {
  /** The shard's item hashes, by local index: the leaves the submitted outputs root commits (§12.4). */
  itemHashes: readonly Hex[];
  /** The shard beacon drawn after the submission (docs/PROTOCOL.md §3.4). */
  beacon: Hex;
  /** The sample size; default {@link SAMPLE_SIZE} (docs/PROTOCOL.md §3.5). */
  s?: number;
}

/**
 * The prover's half of a container shard's `sampled` proof (docs/PROTOCOL.md §13.1, §14.6): draws
 * `sampleIndices(beacon, itemHashes.length, s)` and opens each drawn leaf `[i, itemHash_i]` of the
 * outputs tree (`commitOutputs` in items mode), in the order drawn. What it returns passes
 * `verifyItemSample` (`./verifyItemSample.ts`, the verifier's half) against the tree's root.
 * Throws `PowWorkloadError` (sdk/pow) when there is no item or s is not a positive integer.
 */
export function revealItemSample(params: RevealItemSampleParameters): SampledItem[] {
  const { itemHashes, beacon } = params;
  const indices = sampleIndices(beacon, itemHashes.length, params.s ?? SAMPLE_SIZE);
  const tree = StandardMerkleTree.load(commitOutputs({ mode: "items", itemHashes }).tree!);
  return indices.map((index) => ({ index, outputHash: itemHashes[index], proof: tree.getProof(index) as Hex[] }));
}
