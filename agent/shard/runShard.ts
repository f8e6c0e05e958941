import fs from "node:fs/promises";
import type { Hex } from "viem";
import type { ContainerLogLine, ContainerRunResult, DockerClient, GpuRequest } from "../../sdk/executor/dockerClient";
import type { ContainerSandbox } from "../../sdk/executor/containerSandbox";
import { failedRunRoot } from "../../sdk/failedRun/failedRunRoot";
import type { Logger } from "../../sdk/log/createLogger";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { containerShardItems, llmShardItems, matmulShardRows } from "../../sdk/spec/shardWork";
import type { ContainerReceipt, RanFacts } from "../journal/shardData";
import type { GpuAllocator } from "../policy/gpuAllocator";
import { containerUnits, runContainerShard } from "../work/containerShard";
import type { DevCheat } from "../work/devCheat";
import { runLlmShard } from "../work/llmShard";
import { runMatmulShard, type MatmulDevice } from "../work/matmulShard";
import type { ImmutableJob } from "./jobCache";
import { ShardStepError } from "./shardStepError";
import type { ShardWorkspace } from "./shardWorkspace";

/** The agent's executors and their settings (agent/config.ts), as the shard driver holds them. */
export interface ShardRunSettings {
  docker?: DockerClient;
  matmulDevice: MatmulDevice;
  pythonPath?: string;
  /** Limit of one llm-inference generation run (ms; default one hour). */
  inferTimeoutMs?: number;
  /** Aborted on shutdown: kills a running inference runtime (its shard is generated again after the restart). */
  signal?: AbortSignal;
  /** Worker threads of the CPU matmul kernel (undefined: every core). */
  cpuThreads?: number;
  gpus?: GpuRequest;
  /** Hands each GPU shard its own free devices for the run (PROTOCOL §12.5); absent: `gpus`, or a count. */
  gpuAllocator?: GpuAllocator;
  /** The operator's container confinement (agent config `sandbox*`, PROTOCOL §12.5). */
  sandbox?: ContainerSandbox;
  pullImages?: boolean;
  /** Fault injection on a dev chain only: commit a corrupted C (demos and tests of slashing). */
  devCheat?: DevCheat;
  allowRemoteHosts?: boolean;
  /** Directories `file://` inputs may be read from. */
  inputFileRoots?: readonly string[];
  onRunSeconds?: (kind: string, seconds: number) => void;
  /** Each line a shard's containers write, with the shard's identity (the agent's live logs, PROTOCOL §14.11). */
  onContainerLog?: (line: ContainerLogLine, of: { jobId: bigint; shard: number }) => void;
}

/** Input of {@link runShard}. */
export interface RunShardParameters {
  settings: ShardRunSettings;
  logger: Logger;
  jobId: bigint;
  shard: number;
  spec: JobSpec;
  job: Pick<ImmutableJob, "shards" | "maxUnitsPerShard">;
  workspace: ShardWorkspace;
  /** Container items already done before a restart (journaled): global item index → output hash. */
  itemHashes: Readonly<Record<string, Hex>>;
  /** Journals the items done so far, after each item and before the next starts. */
  onItemsDone: (itemHashes: Record<string, Hex>) => void;
  /** A phase of the matmul run started (generate, compute, commit). */
  onPhase?: (phase: string) => void;
}

/**
 * The facts of `ran`: a matmul window, a container run's outputs, or a container run that failed
 * (`failure`, PROTOCOL §18.2), which is submitted and proved all the same.
 */
export type RunShardReturnType = RanFacts;

const receiptOf = (runs: readonly ContainerRunResult[], root: Hex): ContainerReceipt => ({
  imageId: runs[0]?.imageId,
  imageRepoDigest: runs[0]?.imageRepoDigest,
  runs: runs.map((r) => ({
    item: r.item,
    exitCode: r.exitCode,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
  })),
  root,
});

/**
 * Runs one shard's work in its workspace (docs/PROTOCOL.md §14.2, §14.4): a matmul shard computes
 * and commits its window of C (`runMatmulShard`; CPU or CUDA); a container shard runs its items one
 * after another, re-attaching to a container left from before a restart and skipping the items
 * already journaled (`runContainerShard`), and keeps its receipt. A container run that ends `failed`,
 * `oomKilled` or `timedOut` stops the shard there and resolves as a failed run (PROTOCOL §18.2): root
 * `failedRunRoot({ item, status, exitCode })` with the LOCAL item index (null for a single-run job),
 * units = `containerUnits` of the runs made. Units are capped at the job's `maxUnitsPerShard`. Throws {@link ShardStepError} (`AGENT_NO_DOCKER`) for a container shard on an
 * agent without Docker; an executor's own error (worker failure, Docker unreachable) passes through
 * to be retried by a later step.
 */
export async function runShard(p: RunShardParameters): Promise<RunShardReturnType> {
  const { settings, spec, job, workspace } = p;
  const started = performance.now();
  const cap = (units: bigint) => (units < job.maxUnitsPerShard ? units : job.maxUnitsPerShard);
  if (spec.kind === "matmul-int8") {
    const rows = matmulShardRows(spec, job.shards, p.shard);
    p.logger.info({ rows, device: settings.matmulDevice }, "computing matmul shard");
    const result = await runMatmulShard({
      spec,
      rows,
      workDir: workspace.dir,
      device: settings.matmulDevice,
      pythonPath: settings.pythonPath,
      cpuThreads: settings.cpuThreads,
      corrupt: settings.devCheat === "corrupt-rows",
      onPhase: p.onPhase,
    });
    settings.onRunSeconds?.(spec.kind, (performance.now() - started) / 1000);
    return {
      kind: spec.kind,
      root: result.root,
      units: cap(result.units),
      rowStart: rows.start,
      rowEnd: rows.end,
      seconds: result.seconds,
    };
  }
  if (spec.kind === "llm-inference") {
    const items = llmShardItems(spec, job.shards, p.shard);
    p.logger.info(
      { items, cheat: settings.devCheat === "cheaper-model" || undefined },
      "generating llm-inference shard",
    );
    const result = await runLlmShard({
      spec,
      items,
      workDir: workspace.dir,
      cacheDir: workspace.cacheDir,
      itemOutputDir: workspace.itemOutputDir,
      pythonPath: settings.pythonPath,
      timeoutMs: settings.inferTimeoutMs ?? 3_600_000,
      allowRemoteHosts: settings.allowRemoteHosts,
      allowedFileRoots: settings.inputFileRoots ?? [],
      cheaperModel: settings.devCheat === "cheaper-model",
      onStderrLine: (line) => p.logger.debug({ layer: "infer" }, line),
      signal: settings.signal,
    });
    settings.onRunSeconds?.(spec.kind, (performance.now() - started) / 1000);
    return {
      kind: spec.kind,
      root: result.root,
      units: cap(result.units),
      itemStart: items.start,
      itemEnd: items.end,
      itemHashList: result.itemHashes,
    };
  }
  if (!settings.docker) throw new ShardStepError("AGENT_NO_DOCKER", "a container shard needs Docker");
  const items = containerShardItems(spec, job.shards, p.shard);
  const done = new Map<number, Hex>(Object.entries(p.itemHashes).map(([i, h]) => [Number(i), h]));
  const holder = `${p.jobId}/${p.shard}`;
  let gpus: GpuRequest | undefined;
  if (spec.gpus > 0 && settings.gpuAllocator) {
    const deviceIds = settings.gpuAllocator.acquire(holder, spec.gpus);
    if (deviceIds === undefined) {
      throw new ShardStepError("AGENT_GPUS_BUSY", `needs ${spec.gpus} free GPUs; retrying when they are given back`);
    }
    gpus = { deviceIds };
  } else if (spec.gpus > 0) gpus = settings.gpus ?? { count: spec.gpus };
  const result = await runContainerShard({
    docker: settings.docker,
    spec,
    jobId: p.jobId,
    shard: p.shard,
    items,
    workDir: workspace.dir,
    cacheDir: workspace.cacheDir,
    gpus,
    sandbox: settings.sandbox,
    pull: settings.pullImages,
    allowRemoteHosts: settings.allowRemoteHosts,
    allowedFileRoots: settings.inputFileRoots ?? [],
    done,
    onItemDone: (item, hash) => {
      done.set(item, hash);
      p.onItemsDone(Object.fromEntries(done));
    },
    onLog: settings.onContainerLog && ((line) => settings.onContainerLog?.(line, { jobId: p.jobId, shard: p.shard })),
  }).finally(() => settings.gpuAllocator?.release(holder));
  settings.onRunSeconds?.(spec.kind, (performance.now() - started) / 1000);
  const range = { itemStart: items?.start ?? null, itemEnd: items?.end ?? null };
  if (result.status !== "succeeded") {
    const last = result.runs[result.runs.length - 1];
    const failure = {
      item: items && last?.item != null ? last.item - items.start : null,
      status: result.status,
      exitCode: last?.exitCode ?? 0,
    };
    const root = failedRunRoot(failure);
    const receipt = receiptOf(result.runs, root);
    await fs.writeFile(workspace.receiptJson, JSON.stringify(receipt, null, 2));
    p.logger.warn(
      { status: result.status, reason: result.reason, failure },
      "container run failed (the developer's code); submitting the failed run",
    );
    // The items that succeeded before the failure, in local order (kept, not committed).
    const succeeded = items
      ? [...done].filter(([i]) => i >= items.start && i < items.end).sort(([a], [b]) => a - b)
      : [];
    return {
      kind: spec.kind,
      root,
      units: cap(containerUnits(result.runs, spec.gpus)),
      ...range,
      itemHashList: succeeded.map(([, hash]) => hash),
      receipt,
      failure,
    };
  }
  const receipt = receiptOf(result.runs, result.root);
  await fs.writeFile(workspace.receiptJson, JSON.stringify(receipt, null, 2));
  return {
    kind: spec.kind,
    root: result.root,
    units: cap(result.units),
    ...range,
    itemHashList: result.itemHashes,
    receipt,
  };
}
