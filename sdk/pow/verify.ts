import type { Hex } from "viem";
import { rowHash, verifyRowProof } from "./commitment";
import { PowProofError, PowRowLengthError, PowRowValueError, PowSampleError } from "./errors";
import { matmulInt8Sync } from "./kernel";
import type { MatmulOperands } from "./operands";
import type { RevealedRow } from "./reveal";
import { SAMPLE_SIZE, sampleIndices } from "./sample";

/** Input of {@link verifySampledRows}. */
export interface VerifySampledRowsParameters {
  operands: MatmulOperands;
  /** The committed result root. */
  root: Hex;
  /** The beacon the sample is drawn from (it already binds the root). */
  beacon: Hex;
  /** The sample size; default {@link SAMPLE_SIZE} (a job shard's, PROTOCOL §3.5); a capacity challenge's own `s`. */
  s?: number;
  /** The revealed rows, in the order drawn. */
  revealed: readonly RevealedRow[];
}

/** What a successful check covered. */
export interface VerifySampledRowsReturnType {
  /** The rows checked, in the order drawn. */
  indices: number[];
  /** Multiply-adds the verifier spent recomputing rows (s·k·n). */
  multiplyAdds: number;
}

function checkIndices(expected: readonly number[], revealed: readonly RevealedRow[]): void {
  const seen = new Set<number>();
  for (let p = 0; p < revealed.length; p++) {
    const got = revealed[p].index;
    if (p >= expected.length) throw new PowSampleError("extra", p, undefined, got);
    if (got !== expected[p]) throw new PowSampleError(seen.has(got) ? "duplicate" : "wrong-index", p, expected[p], got);
    seen.add(got);
  }
  if (revealed.length < expected.length) {
    throw new PowSampleError("missing", revealed.length, expected[revealed.length], undefined);
  }
}

/**
 * The cheap half of {@link verifySampledRows}, before any operand is generated: the indices are
 * the drawn sample, every row has n elements and its Merkle proof reaches the root. Returns the
 * indices. Throws PowSampleError, PowRowLengthError, PowProofError (in that order).
 */
export function checkRevealedShape(
  params: Omit<VerifySampledRowsParameters, "operands"> & { operands: { m: number; n: number } },
): number[] {
  const { operands, root, beacon, revealed } = params;
  const { m, n } = operands;
  const indices = sampleIndices(beacon, m, params.s ?? SAMPLE_SIZE);
  checkIndices(indices, revealed);
  for (const { index, row, proof } of revealed) {
    if (row.length !== n) throw new PowRowLengthError(index, n, row.length);
    const hash = rowHash(row);
    if (!verifyRowProof(root, index, hash, proof)) throw new PowProofError(index, hash, root);
  }
  return indices;
}

/**
 * The sampled-row check of docs/PROTOCOL.md §3.6 and §3.10, the verifier's half of the proof (the
 * prover's half is `revealSample`, `./revealSample.ts`). Checks, in this order, and throws at the first fault:
 * {@link PowSampleError} when the revealed indices are not exactly the drawn sample (in order);
 * then for each row in turn, {@link PowRowLengthError} when it does not have n elements and
 * {@link PowProofError} when its Merkle proof does not reach the root; then
 * {@link PowRowValueError} when a row differs from A·B recomputed by the verifier.
 * It sees only the sampled rows: a prover that computed a fraction f of them passes with probability
 * at most f^s (docs/PROTOCOL.md §3.10).
 */
export function verifySampledRows(params: VerifySampledRowsParameters): VerifySampledRowsReturnType {
  const { operands, revealed } = params;
  const { n, k } = operands;
  const indices = checkRevealedShape(params);
  // Recompute the sampled rows in one kernel call: the kernel's row blocking then reuses each
  // block of B across four rows, as the prover's does.
  const sampledA = new Int8Array(indices.length * k);
  indices.forEach((index, r) => sampledA.set(operands.rowOfA(index), r * k));
  const expected = matmulInt8Sync(sampledA, operands.b, { m: indices.length, n, k });
  revealed.forEach(({ index, row }, r) => {
    const offset = r * n;
    for (let j = 0; j < n; j++) {
      if (expected[offset + j] !== row[j]) throw new PowRowValueError(index, j, expected[offset + j], row[j]);
    }
  });
  return { indices, multiplyAdds: indices.length * k * n };
}
