import type { Hex } from "viem";
import type { RowCommitment } from "./commitment";
import { PowWorkloadError } from "./errors";
import { revealRows, type RevealedRow } from "./reveal";
import { SAMPLE_SIZE, sampleIndices } from "./sample";

/** Input of {@link revealSample}. */
export interface RevealSampleParameters {
  /** The committed result C (m×n, row-major): a whole workload, or a shard's row window with local rows. */
  c: Int32Array;
  m: number;
  n: number;
  /** The tree over C's rows whose root was committed (`commitRows(rowHashes(c, m, n))`). */
  commitment: RowCommitment;
  /** The beacon drawn after the commitment (`shardBeacon` or `capacityBeacon`, docs/PROTOCOL.md §3.4). */
  beacon: Hex;
  /** The sample size; default {@link SAMPLE_SIZE} (a job shard's, §3.5); a capacity challenge's own `s`. */
  s?: number;
}

/**
 * The prover's half of the sampled-row proof (docs/PROTOCOL.md §3.5, §3.6, §3.10): draws the sample
 * `sampleIndices(beacon, m, s)` and reveals each drawn row of C with its Merkle proof, in the order
 * drawn. What it returns passes `verifySampledRows` (`./verify.ts`, the verifier's half) with the same
 * beacon and s when C is A·B. Throws, in this order, {@link PowWorkloadError} when C does not hold m·n
 * values, when the commitment is not over m rows, and when m or s is not a positive integer.
 */
export function revealSample(params: RevealSampleParameters): RevealedRow[] {
  const { c, m, n, commitment, beacon } = params;
  if (c.length !== m * n) {
    throw new PowWorkloadError("C does not have m·n elements", { details: { m, n, length: c.length } });
  }
  const committedRows = commitment.tree.length;
  if (committedRows !== m) {
    throw new PowWorkloadError("the commitment is not over C's m rows", { details: { m, committedRows } });
  }
  return revealRows(c, n, commitment, sampleIndices(beacon, m, params.s ?? SAMPLE_SIZE));
}
