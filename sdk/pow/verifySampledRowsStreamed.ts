import { setImmediate as yieldToLoop } from "node:timers/promises";
import { PowRowValueError } from "./errors";
import { checkRevealedShape, type VerifySampledRowsParameters, type VerifySampledRowsReturnType } from "./verify";

/** Input of {@link verifySampledRowsStreamed}. */
export interface VerifySampledRowsStreamedParameters extends VerifySampledRowsParameters {
  /** Give the event loop a turn after about this many ms of work (default 10). */
  sliceMs?: number;
  /** Stops the work between slices (the caller's deadline or shutdown). */
  signal?: AbortSignal;
}

/**
 * {@link verifySampledRows} for a server: the same checks in the same order with the same errors,
 * but the cheap ones first (`checkRevealedShape`: the sample's indices, each row's length and
 * Merkle proof, before any operand is generated), then A·B for the sampled rows with B streamed
 * one row at a time (`rowOfB`: n bytes, never the whole k·n), accumulating s×n int32 sums, and the
 * event loop given a turn every `sliceMs`. Memory: s·(k + 4n) + n bytes. A proof with no rows, or
 * rows of the wrong shape, is refused before B's first row is generated.
 * @throws PowSampleError, PowRowLengthError, PowProofError, PowRowValueError (in that order).
 */
export async function verifySampledRowsStreamed(
  params: VerifySampledRowsStreamedParameters,
): Promise<VerifySampledRowsReturnType> {
  const { operands, revealed } = params;
  const { n, k } = operands;
  const indices = checkRevealedShape(params);
  const s = indices.length;
  const rowsOfA = indices.map((index) => operands.rowOfA(index));
  const sums = new Int32Array(s * n);
  const rowOfB = new Int8Array(n);
  const sliceMs = params.sliceMs ?? 10;
  let sliceStart = performance.now();
  for (let l = 0; l < k; l++) {
    operands.rowOfB(l, rowOfB);
    for (let r = 0; r < s; r++) {
      const a = rowsOfA[r][l];
      if (a === 0) continue;
      const offset = r * n;
      // Int32Array stores wrap mod 2^32, as the kernel's int32 accumulators do.
      for (let j = 0; j < n; j++) sums[offset + j] += a * rowOfB[j];
    }
    if ((l & 15) === 15 && performance.now() - sliceStart > sliceMs) {
      await yieldToLoop();
      params.signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
  revealed.forEach(({ index, row }, r) => {
    const offset = r * n;
    for (let j = 0; j < n; j++) {
      if (sums[offset + j] !== row[j]) throw new PowRowValueError(index, j, sums[offset + j], row[j]);
    }
  });
  return { indices, multiplyAdds: s * k * n };
}
