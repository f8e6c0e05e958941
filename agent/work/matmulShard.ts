import { execFile } from "node:child_process";
import { RecentMap } from "../../sdk/memo/recentMap";
import fs from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";
import { RigelError } from "../../sdk/errors/RigelError";
import { commitRows, rowHashes, type RowCommitment } from "../../sdk/pow/commitment";
import { decodeInt32LE } from "../../sdk/pow/decodeInt32LE";
import { encodeInt32LE } from "../../sdk/pow/encodeInt32LE";
import { generateInto, generateMatrix, generatorKeys } from "../../sdk/pow/generator";
import { readWorkerOutput } from "../../sdk/pow/readWorkerOutput";
import { proveMatmulWindow } from "../../sdk/pow/rowWindow";
import type { MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import type { WorkRange } from "../../sdk/spec/shardWork";
import { matmulUnits } from "../../sdk/spec/shardWork";
import { SHARD_FILES } from "../shard/shardWorkspace";
import { corruptRows } from "./devCheat";

/** Where the matmul kernel runs: the sdk's worker threads, or sdk/python/worker.py on CUDA. */
export type MatmulDevice = "cpu" | "cuda";

/** The arguments of {@link runMatmulShard}. */
export interface RunMatmulShardParameters {
  spec: MatmulInt8Spec;
  /** Absolute rows of C this shard computes (from sdk/spec/shardWork). */
  rows: WorkRange;
  workDir: string;
  device: MatmulDevice;
  pythonPath?: string;
  /** Worker threads of the CPU kernel (default: every core, `availableParallelism()`); ignored on CUDA. */
  cpuThreads?: number;
  /** Dev-chain fault injection: corrupt every row of C before committing (see ./devCheat.ts). */
  corrupt?: boolean;
  /** Called when a phase starts (generate, compute, commit). */
  onPhase?: (phase: string) => void;
}

/** A finished matmul shard: the root, units and where each second went. */
export interface MatmulShardResult {
  root: Hex;
  units: bigint;
  seconds: { generate: number; compute: number; commit: number };
  device: MatmulDevice;
}

export class MatmulRunError extends RigelError {
  override readonly name = "MatmulRunError";
}

const WORKER = path.resolve(__dirname, "..", "..", "sdk", "python", "worker.py");

/**
 * Computes one matmul shard (rows `[rows.start, rows.end)` as a workload of its own, docs/PROTOCOL.md
 * §3.13) and keeps `c.bin` (the window of C, int32 LE, §3.9) and `result.json` in `workDir` (the
 * shard's workspace, agent/shard/shardWorkspace.ts), so that proofs can be revealed and results
 * served after a restart without recomputing.
 */
export async function runMatmulShard(p: RunMatmulShardParameters): Promise<MatmulShardResult> {
  const { spec, rows, workDir } = p;
  const m = rows.end - rows.start;
  const { n, k } = spec;
  await fs.mkdir(workDir, { recursive: true });
  let c: Int32Array;
  let root: Hex;
  let seconds: MatmulShardResult["seconds"];
  if (p.device === "cpu") {
    p.onPhase?.("compute");
    const proof = await proveMatmulWindow(
      { seed: spec.seed as Hex, m: spec.m, n, k },
      { rowStart: rows.start, rowEnd: rows.end },
      { threads: p.cpuThreads, offMainThread: true },
    );
    c = proof.c;
    root = proof.commitment.root;
    seconds = { generate: proof.seconds.generate, compute: proof.seconds.matmul, commit: proof.seconds.commit };
  } else {
    p.onPhase?.("generate");
    const started = performance.now();
    const keys = generatorKeys(spec.seed as Hex);
    const a = generateInto(keys.a, rows.start * k, m * k, new Int8Array(m * k));
    const b = generateMatrix(keys.b, k, n);
    const operandDir = path.join(workDir, SHARD_FILES.operandsDir);
    await fs.mkdir(operandDir, { recursive: true });
    await fs.writeFile(path.join(operandDir, "a.bin"), a);
    await fs.writeFile(path.join(operandDir, "b.bin"), b);
    const generate = (performance.now() - started) / 1000;
    p.onPhase?.("compute");
    const workerDir = path.join(workDir, SHARD_FILES.workerDir);
    await new Promise<void>((resolve, reject) =>
      execFile(
        p.pythonPath ?? "python3",
        [
          WORKER,
          "--a",
          path.join(operandDir, "a.bin"),
          "--b",
          path.join(operandDir, "b.bin"),
          "--m",
          String(m),
          "--n",
          String(n),
          "--k",
          String(k),
          "--out",
          workerDir,
          "--device",
          "cuda",
        ],
        { maxBuffer: 16 * 1024 * 1024 },
        (err, _stdout, stderr) =>
          err
            ? reject(
                new MatmulRunError("MATMUL_WORKER_FAILED", `CUDA worker failed: ${stderr.slice(-500)}`, { cause: err }),
              )
            : resolve(),
      ),
    );
    const output = await readWorkerOutput(workerDir, { m, n, k });
    await fs.rm(operandDir, { recursive: true, force: true });
    c = output.c;
    root = output.commitment.root;
    seconds = {
      generate: generate + (output.result.seconds.generate ?? 0),
      compute: output.result.seconds.matmul ?? 0,
      commit: output.result.seconds.commit ?? 0,
    };
  }
  if (p.corrupt) root = corruptRows(c, m, n);
  await fs.writeFile(path.join(workDir, SHARD_FILES.cBin), encodeInt32LE(c));
  const units = matmulUnits(m, n, k);
  const result = {
    root,
    units: units.toString(),
    rowStart: rows.start,
    rowEnd: rows.end,
    n,
    k,
    seconds,
    device: p.device,
  };
  await fs.writeFile(path.join(workDir, SHARD_FILES.resultJson), JSON.stringify(result, null, 2));
  return { root, units, seconds, device: p.device };
}

/** Windows of C read back lately, with their trees, by file (a claim proves one shard to each oracle in turn). */
const recentlyLoaded = new RecentMap<string, { stamp: string; value: { c: Int32Array; commitment: RowCommitment } }>(
  64,
);

/**
 * The kept window of C and its tree, read back from `workDir` (for revealing rows after a restart).
 * The last 64 are remembered by file, size and modification time: one proof per oracle rebuilt the
 * same tree three times.
 */
export async function loadMatmulShard(
  workDir: string,
  shape: { m: number; n: number },
): Promise<{ c: Int32Array; commitment: RowCommitment }> {
  const file = path.join(workDir, SHARD_FILES.cBin);
  const stat = await fs.stat(file);
  const stamp = `${stat.size}:${stat.mtimeMs}:${shape.m}:${shape.n}`;
  const known = recentlyLoaded.get(file);
  if (known?.stamp === stamp) return known.value;
  const bytes = await fs.readFile(file);
  if (bytes.length !== shape.m * shape.n * 4) {
    throw new MatmulRunError("MATMUL_RESULT_MISSING", `c.bin in ${workDir} does not hold ${shape.m}×${shape.n} int32`);
  }
  const c = decodeInt32LE(bytes);
  const value = { c, commitment: commitRows(rowHashes(c, shape.m, shape.n)) };
  recentlyLoaded.set(file, { stamp, value });
  return value;
}
