import path from "node:path";
import type { Hex } from "viem";
import { commitOutputs } from "../../sdk/executor/commitOutputs";
import type { ContainerSandbox } from "../../sdk/executor/containerSandbox";
import type {
  ContainerLogListener,
  ContainerRunResult,
  DockerClient,
  GpuRequest,
} from "../../sdk/executor/dockerClient";
import { findContainers } from "../../sdk/executor/findContainers";
import { itemOutputHash } from "../../sdk/executor/itemOutputHash";
import { reattachContainer } from "../../sdk/executor/reattachContainer";
import { runContainerJob, type ContainerJobStatus } from "../../sdk/executor/runContainerJob";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import type { WorkRange } from "../../sdk/spec/shardWork";

/** The arguments of {@link runContainerShard}. */
export interface RunContainerShardParameters {
  docker: DockerClient;
  spec: ContainerJobSpec;
  jobId: bigint;
  shard: number;
  /** The shard's items (sdk/spec/shardWork); undefined for a single-run job. */
  items: WorkRange | undefined;
  workDir: string;
  cacheDir: string;
  gpus?: GpuRequest;
  pull?: boolean;
  allowRemoteHosts?: boolean;
  /** Directories `file://` inputs may be read from (sdk/executor fetchInput). */
  allowedFileRoots?: readonly string[];
  /** Item hashes (absolute item index → hash) already journaled before a restart. */
  done: ReadonlyMap<number, Hex>;
  /** Called after each item succeeds, before the next starts: the journal writes it. */
  onItemDone?: (item: number, hash: Hex) => void;
  onLog?: ContainerLogListener;
  signal?: AbortSignal;
  /** The operator's confinement (agent config `sandbox*`): user, runtime, bridge network, log budget. */
  sandbox?: ContainerSandbox;
}

/** How a container shard ended. */
export type ContainerShardResult =
  | { status: "succeeded"; root: Hex; units: bigint; runs: ContainerRunResult[]; itemHashes: Hex[] }
  | { status: Exclude<ContainerJobStatus, "succeeded">; runs: ContainerRunResult[]; reason: string };

/** GPU-seconds of the runs (PROTOCOL §3.7), at least 1; a CPU-only job counts its container seconds. */
export function containerUnits(runs: readonly ContainerRunResult[], gpus: number): bigint {
  const ms = runs.reduce((sum, r) => sum + r.durationMs, 0);
  const units = BigInt(Math.ceil((ms / 1000) * Math.max(1, gpus)));
  return units > 0n ? units : 1n;
}

function reasonOf(run: ContainerRunResult): string {
  if (run.limitExceeded) {
    const { limit, max, seen } = run.limitExceeded;
    return `passed its ${limit} limit of ${max} (at least ${seen}; item ${run.item ?? "-"})`;
  }
  if (run.timedOut) return `timed out (item ${run.item ?? "-"})`;
  if (run.oomKilled) return `killed for memory (item ${run.item ?? "-"})`;
  return `exited with code ${run.exitCode} (item ${run.item ?? "-"})`;
}

/**
 * Runs a container shard, item by item, so a restart loses at most the item in flight: a container
 * of this shard still on the host (found by its labels) is re-attached instead of started again.
 * The commitment is PROTOCOL §12.4 over the shard's own items with **local** indices
 * (`[i − items.start, itemHash_i]`, as matmul shards use local rows, PROTOCOL §14.4), or over the files of a
 * single run.
 */
export async function runContainerShard(p: RunContainerShardParameters): Promise<ContainerShardResult> {
  const job = p.jobId.toString();
  // Only this shard's own containers (outputs under its work folder): another agent on this host,
  // for another chain or checkout, may run a shard with the same job and shard numbers.
  const mine = path.resolve(p.workDir) + path.sep;
  const leftover = (await findContainers(p.docker, { job, shard: p.shard })).filter((c) =>
    path.resolve(c.outputDir ?? "").startsWith(mine),
  );
  const runs: ContainerRunResult[] = [];
  const reattach = async (item: number | null): Promise<ContainerRunResult | undefined> => {
    const found = leftover.find((c) => c.item === item);
    return found ? reattachContainer(p.docker, { containerId: found.id, onLog: p.onLog, signal: p.signal }) : undefined;
  };
  if (p.items === undefined) {
    const run =
      (await reattach(null)) ??
      (
        await runContainerJob(p.docker, {
          spec: p.spec,
          job,
          shard: p.shard,
          workDir: p.workDir,
          cacheDir: p.cacheDir,
          gpus: p.gpus,
          pull: p.pull,
          allowRemoteInputHosts: p.allowRemoteHosts,
          allowedFileRoots: p.allowedFileRoots,
          onLog: p.onLog,
          signal: p.signal,
          sandbox: p.sandbox,
        })
      ).runs[0];
    runs.push(run);
    if (!run.succeeded) return { status: statusOf(run), runs, reason: reasonOf(run) };
    return {
      status: "succeeded",
      root: commitOutputs({ mode: "files", files: run.outputs }).root,
      units: containerUnits(runs, p.spec.gpus),
      runs,
      itemHashes: [],
    };
  }
  const hashes = new Map(p.done);
  for (let item = p.items.start; item < p.items.end; item++) {
    if (hashes.has(item)) continue;
    let run = await reattach(item);
    let hash: Hex | undefined;
    if (run) {
      if (run.succeeded) hash = itemOutputHash(run.outputs);
    } else {
      const result = await runContainerJob(p.docker, {
        spec: p.spec,
        job,
        shard: p.shard,
        workDir: p.workDir,
        cacheDir: p.cacheDir,
        gpus: p.gpus,
        pull: p.pull,
        allowRemoteInputHosts: p.allowRemoteHosts,
        allowedFileRoots: p.allowedFileRoots,
        onLog: p.onLog,
        signal: p.signal,
        sandbox: p.sandbox,
        onlyItems: [item],
      });
      run = result.runs[0];
      hash = result.itemHashes.get(item);
    }
    runs.push(run);
    if (!run.succeeded || hash === undefined) return { status: statusOf(run), runs, reason: reasonOf(run) };
    hashes.set(item, hash);
    p.onItemDone?.(item, hash);
  }
  const itemHashes: Hex[] = [];
  for (let item = p.items.start; item < p.items.end; item++) itemHashes.push(hashes.get(item)!);
  return {
    status: "succeeded",
    root: commitOutputs({ mode: "items", itemHashes }).root,
    units: containerUnits(runs, p.spec.gpus),
    runs,
    itemHashes,
  };
}

function statusOf(run: ContainerRunResult): Exclude<ContainerJobStatus, "succeeded"> {
  if (run.timedOut) return "timedOut";
  if (run.oomKilled) return "oomKilled";
  return "failed";
}
