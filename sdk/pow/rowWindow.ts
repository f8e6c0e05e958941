import { commitRows, rowHashes } from "./commitment";
import { PowWorkloadError } from "./errors";
import { generateInto, generateMatrix, generatorKeys } from "./generator";
import { matmulInt8, type MatmulOptions } from "./kernel";
import type { MatmulOperands } from "./operands";
import type { MatmulProof } from "./prove";
import { assertWorkload, type MatmulWorkload } from "./workload";

/** Rows `[rowStart, rowEnd)` of C: the part of a workload one shard computes. */
export interface RowWindow {
  rowStart: number;
  rowEnd: number;
}

function assertWindow(m: number, { rowStart, rowEnd }: RowWindow): void {
  if (
    !Number.isSafeInteger(rowStart) ||
    !Number.isSafeInteger(rowEnd) ||
    rowStart < 0 ||
    rowEnd > m ||
    rowStart >= rowEnd
  ) {
    throw new PowWorkloadError(`row window [${rowStart}, ${rowEnd}) is not inside [0, ${m})`, {
      details: { m, rowStart, rowEnd },
    });
  }
}

/**
 * The operands of a shard's row window, as a workload of its own: `m = rowEnd − rowStart`, and
 * local row `i` is row `rowStart + i` of the whole A (docs/PROTOCOL.md §3.13). Commitments, the
 * sample and the verifier all work on these local indices.
 */
export function windowOperands(operands: MatmulOperands, window: RowWindow): MatmulOperands {
  assertWindow(operands.m, window);
  const { n, k } = operands;
  return {
    m: window.rowEnd - window.rowStart,
    n,
    k,
    // B is the whole workload's, read through (never built here).
    get b() {
      return operands.b;
    },
    rowOfA: (i: number) => operands.rowOfA(window.rowStart + i),
    rowOfB: (l: number, out?: Int8Array) => operands.rowOfB(l, out),
  };
}

/**
 * The CPU prover of one shard of a generated workload: rows `[rowStart, rowEnd)` of A generated on
 * their own, C' = A'·B, and the tree over C' with local row indices. Reveal rows with
 * `revealRows(c, n, commitment, sampleIndices(beacon, rowEnd − rowStart, s))`.
 */
export async function proveMatmulWindow(
  workload: MatmulWorkload,
  window: RowWindow,
  options: MatmulOptions = {},
): Promise<MatmulProof> {
  assertWorkload(workload);
  assertWindow(workload.m, window);
  const { n, k } = workload;
  const rows = window.rowEnd - window.rowStart;
  const clock = () => Number(process.hrtime.bigint()) / 1e9;
  let started = clock();
  const keys = generatorKeys(workload.seed);
  const a = generateInto(keys.a, window.rowStart * k, rows * k, new Int8Array(rows * k));
  const b = generateMatrix(keys.b, k, n);
  const generate = clock() - started;
  started = clock();
  const c = await matmulInt8(a, b, { m: rows, n, k }, options);
  const matmul = clock() - started;
  started = clock();
  const hashes = rowHashes(c, rows, n);
  const commitment = commitRows(hashes);
  const commit = clock() - started;
  return { c, rowHashes: hashes, commitment, seconds: { generate, matmul, commit } };
}
