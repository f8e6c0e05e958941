import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";
import { commitRows, rowHashes, type RowCommitment } from "./commitment";
import { decodeInt32LE } from "./decodeInt32LE";
import { PowWorkloadError } from "./errors";
import type { MatmulShape } from "./kernel";

/** The result of sdk/python/worker.py, read back and checked. */
export interface WorkerOutput {
  c: Int32Array;
  rowHashes: Hex[];
  commitment: RowCommitment;
  /** result.json as the worker wrote it. */
  result: { root: Hex; device: string; seconds: Record<string, number>; opsPerSec: number | null } & MatmulShape;
}

/**
 * Reads a worker's output directory (`c.bin`, `row-hashes.bin`, `result.json`) and checks it: the
 * shape, every row hash against C, and the worker's root against the tree rebuilt here. Throws
 * {@link PowWorkloadError} on any disagreement; a worker that disagrees with the sdk must not be committed.
 */
export async function readWorkerOutput(dir: string, shape: MatmulShape): Promise<WorkerOutput> {
  const { m, n, k } = shape;
  const result = JSON.parse(await readFile(path.join(dir, "result.json"), "utf8")) as WorkerOutput["result"];
  if (result.m !== m || result.n !== n || result.k !== k) {
    throw new PowWorkloadError("worker result is for another shape", { details: { expected: shape, got: result } });
  }
  const bytes = await readFile(path.join(dir, "c.bin"));
  if (bytes.length !== m * n * 4) {
    throw new PowWorkloadError("c.bin does not hold m·n int32", { details: { bytes: bytes.length, m, n } });
  }
  const c = decodeInt32LE(bytes);
  const hashes = rowHashes(c, m, n);
  const written = await readFile(path.join(dir, "row-hashes.bin"));
  for (let i = 0; i < m; i++) {
    if (`0x${written.subarray(i * 32, (i + 1) * 32).toString("hex")}` !== hashes[i]) {
      throw new PowWorkloadError("row-hashes.bin disagrees with c.bin", { details: { row: i } });
    }
  }
  const commitment = commitRows(hashes);
  if (commitment.root !== result.root) {
    throw new PowWorkloadError("the worker's root disagrees with the sdk's", {
      details: { worker: result.root, sdk: commitment.root },
    });
  }
  return { c, rowHashes: hashes, commitment, result };
}
