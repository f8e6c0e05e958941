import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { SAMPLE_SIZE, sampleIndices } from "../pow/sample";
import { ItemProofError, ItemSampleError } from "./errors";
import type { SampledItem } from "./revealItemSample";

/** Input of {@link verifyItemSample}. */
export interface VerifyItemSampleParameters {
  /** The submitted outputs root of the shard (docs/PROTOCOL.md §12.4, items mode). */
  root: Hex;
  /** The shard beacon (docs/PROTOCOL.md §3.4). */
  beacon: Hex;
  /** How many items the shard has (`containerShardItems`): the m the sample is drawn from. */
  itemCount: number;
  /** The posted items, LOCAL indices, in the order drawn. */
  items: readonly SampledItem[];
  /** The sample size; default {@link SAMPLE_SIZE} (docs/PROTOCOL.md §3.5). */
  s?: number;
}

/** What a successful check covered. */
export interface VerifyItemSampleReturnType {
  /** The sampled local item indices, in the order drawn: the items to re-run. */
  indices: number[];
}

function inTree(root: Hex, item: SampledItem): boolean {
  try {
    return StandardMerkleTree.verify(root, ["uint256", "bytes32"], [item.index, item.outputHash], item.proof);
  } catch {
    return false;
  }
}

/**
 * The verifier's half of a container shard's `sampled` proof, the checks that need no container
 * (docs/PROTOCOL.md §13.3 steps 1 and 2; the prover's half is `revealItemSample`,
 * `./revealItemSample.ts`). Checks, in this order, and throws at the first fault:
 * {@link ItemSampleError} when the posted indices are not exactly `sampleIndices(beacon, itemCount,
 * s)` in the order drawn; then, item by item, {@link ItemProofError} when a leaf `[index,
 * outputHash]` does not verify against the root. Whether each item's output is right is for a
 * re-run of the returned indices.
 */
export function verifyItemSample(params: VerifyItemSampleParameters): VerifyItemSampleReturnType {
  const { root, beacon, itemCount, items } = params;
  const indices = sampleIndices(beacon, itemCount, params.s ?? SAMPLE_SIZE);
  if (items.length !== indices.length || items.some((item, i) => item.index !== indices[i])) {
    throw new ItemSampleError(
      indices,
      items.map((item) => item.index),
    );
  }
  for (const item of items) {
    if (!inTree(root, item)) throw new ItemProofError(item.index, item.outputHash, root);
  }
  return { indices };
}
