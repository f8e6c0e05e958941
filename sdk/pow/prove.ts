import type { Hex } from "viem";
import { commitRows, rowHashes, type RowCommitment } from "./commitment";
import { generateMatrix, generatorKeys } from "./generator";
import { matmulInt8, type MatmulOptions } from "./kernel";
import { assertWorkload, type MatmulWorkload } from "./workload";

/** What the prover keeps: C, its row hashes and the committed tree (for proofs once the beacon is known). */
export interface MatmulProof {
  c: Int32Array;
  rowHashes: Hex[];
  commitment: RowCommitment;
  /** Seconds spent generating, multiplying and committing. */
  seconds: { generate: number; matmul: number; commit: number };
}

/**
 * The CPU prover of a generated workload: A and B from the seed, C = A·B on worker threads, the row
 * tree. Reveal rows later with `revealRows(c, n, commitment, sampleIndices(beacon, m, s))`.
 */
export async function proveMatmul(workload: MatmulWorkload, options: MatmulOptions = {}): Promise<MatmulProof> {
  assertWorkload(workload);
  const { m, n, k } = workload;
  const clock = () => Number(process.hrtime.bigint()) / 1e9;
  let started = clock();
  const keys = generatorKeys(workload.seed);
  const a = generateMatrix(keys.a, m, k);
  const b = generateMatrix(keys.b, k, n);
  const generate = clock() - started;
  started = clock();
  const c = await matmulInt8(a, b, workload, options);
  const matmul = clock() - started;
  started = clock();
  const hashes = rowHashes(c, m, n);
  const commitment = commitRows(hashes);
  const commit = clock() - started;
  return { c, rowHashes: hashes, commitment, seconds: { generate, matmul, commit } };
}
