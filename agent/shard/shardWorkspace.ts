import path from "node:path";

/** File and folder names inside a shard's workspace (and inside a capacity challenge's temporary one). */
export const SHARD_FILES = {
  /** matmul: the shard's window of C, m′×n int32 little-endian (docs/PROTOCOL.md §3.9). */
  cBin: "c.bin",
  /** matmul: root, units, rows, n, k, seconds, device. */
  resultJson: "result.json",
  /** matmul on CUDA: A′ and B handed to the worker (removed after the run). */
  operandsDir: "operands",
  /** matmul on CUDA: sdk/python/worker.py's output folder (§3.12). */
  workerDir: "worker",
  /** container: the execution receipt. */
  receiptJson: "receipt.json",
  /** container, single run: the output files (sdk/executor runContainerJob's layout, §12.3). */
  outputDir: "output",
  /** container, itemised: `items/<global item>/output` (sdk/executor runContainerJob's layout). */
  itemsDir: "items",
} as const;

/** Where one shard's files live on the agent's disk. */
export interface ShardWorkspace {
  /** `<dataDir>/work/job-<jobId>/shard-<shard>`: results, logs and kept matrices. */
  dir: string;
  cBin: string;
  resultJson: string;
  receiptJson: string;
  outputDir: string;
  /** The output folder of one item, by its GLOBAL index in the spec's `items`. */
  itemOutputDir(item: number): string;
  /** `<dataDir>/cache`: verified inputs by sha256, shared by every shard. */
  cacheDir: string;
}

/**
 * A shard's workspace (docs/PROTOCOL.md §14.2, §14.3): the one place the agent's on-disk layout is
 * written down. The run writes into it, the prover and the results endpoint read from it; it
 * survives restarts, so a matmul shard is never computed twice to be proven or served.
 */
export function shardWorkspace(dataDir: string, jobId: bigint, shard: number): ShardWorkspace {
  const dir = path.join(dataDir, "work", `job-${jobId}`, `shard-${shard}`);
  return {
    dir,
    cBin: path.join(dir, SHARD_FILES.cBin),
    resultJson: path.join(dir, SHARD_FILES.resultJson),
    receiptJson: path.join(dir, SHARD_FILES.receiptJson),
    outputDir: path.join(dir, SHARD_FILES.outputDir),
    itemOutputDir: (item: number) => path.join(dir, SHARD_FILES.itemsDir, String(item), SHARD_FILES.outputDir),
    cacheDir: path.join(dataDir, "cache"),
  };
}
