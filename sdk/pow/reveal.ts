import type { Hex } from "viem";
import type { RowCommitment } from "./commitment";

/** One revealed row of C: its index, its n elements and its Merkle proof. */
export interface RevealedRow {
  index: number;
  row: Int32Array;
  proof: Hex[];
}

/**
 * The sampled rows of C (m×n) with their proofs, in the order given. The prover's half of the proof
 * is `revealSample` (`./revealSample.ts`), which draws the indices from the beacon and calls this.
 */
export function revealRows(
  c: Int32Array,
  n: number,
  commitment: RowCommitment,
  indices: readonly number[],
): RevealedRow[] {
  return indices.map((index) => ({
    index,
    row: c.slice(index * n, (index + 1) * n),
    proof: commitment.proof(index),
  }));
}
