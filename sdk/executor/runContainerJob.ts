import fs from "node:fs/promises";
import path from "node:path";
import { RigelError } from "../errors/RigelError";
import { canonicalJson } from "../spec/canonicalJson";
import type { ContainerJobSpec } from "../spec/jobSpecTypes";
import { commitOutputs, type CommitOutputsReturnType } from "./commitOutputs";
import { containerCpuset } from "./containerCpuset";
import type { ContainerSandbox } from "./containerSandbox";
import type { ContainerLogListener, ContainerRunResult, DockerClient, GpuRequest } from "./dockerClient";
import { fetchInput } from "./fetchInput";
import { itemOutputHash } from "./itemOutputHash";
import { runContainer } from "./runContainer";

/** The arguments of {@link runContainerJob}. */
export interface RunContainerJobParameters {
  spec: ContainerJobSpec;
  /** The on-chain job id, as a decimal string. */
  job: string;
  shard: number;
  /** This shard's own directory: outputs, item files and logs go under it (layout in PROTOCOL.md). */
  workDir: string;
  /** Verified inputs, shared between shards. */
  cacheDir: string;
  gpus?: GpuRequest;
  pull?: boolean;
  allowRemoteInputHosts?: boolean;
  onLog?: ContainerLogListener;
  signal?: AbortSignal;
  /** Run only these items (an oracle re-running its sample). Default: every item. */
  onlyItems?: readonly number[];
  /**
   * Items already done before a restart, with their output hashes (from the agent's journal, or
   * from `itemOutputHash` of a re-attached container's result): not run again, but committed.
   */
  completedItems?: ReadonlyMap<number, `0x${string}`>;
  /** Only read `file://` inputs under these directories (default: anywhere). */
  allowedFileRoots?: readonly string[];
  /** The host's confinement (default `defaultSandbox()`): the agent's config, or the oracle's. */
  sandbox?: ContainerSandbox;
}

/** How a container job ended: the first run that did not succeed decides. */
export type ContainerJobStatus = "succeeded" | "failed" | "timedOut" | "oomKilled";

/** The result of {@link runContainerJob}. */
export interface RunContainerJobReturnType {
  status: ContainerJobStatus;
  /** Every container invocation, in the order run; it stops after the first that fails. */
  runs: ContainerRunResult[];
  /** For itemised jobs: the output hash of each item that ran and succeeded, by item index. */
  itemHashes: Map<number, `0x${string}`>;
  /** The outputs commitment, once every item (or the single run) succeeded; else null. */
  commitment: CommitOutputsReturnType | null;
}

/**
 * Runs a container job's shard end to end: fetches and checks the inputs, runs the container once
 * (or once per item, in order, each with a fresh output directory), stops at the first failure,
 * and commits the outputs. Re-running a shard starts its outputs afresh, except for the items
 * given as `completedItems`.
 * Pass a spec from `parseJobSpec`. A non-zero exit, an OOM kill, a timeout or an output limit passed
 * (`failed`, with the run's `limitExceeded`) is a status, not an error.
 * @throws NotEnoughCpusError (before anything is fetched or run), InputHashMismatchError,
 * InputFetchError, ImageNotFoundError, ContainerStartError, GpuRequestError, SandboxNetworkError, ContainerDetachedError.
 */
export async function runContainerJob(
  docker: DockerClient,
  params: RunContainerJobParameters,
): Promise<RunContainerJobReturnType> {
  const { spec, workDir } = params;
  containerCpuset({ spec, key: "" }); // a host with fewer CPUs than the spec fails here, before any work
  const inputPaths: Record<string, string> = {};
  for (const input of spec.inputs) {
    const fetched = await fetchInput({
      uri: input.uri,
      sha256: input.sha256,
      cacheDir: params.cacheDir,
      allowRemoteHosts: params.allowRemoteInputHosts,
      allowedFileRoots: params.allowedFileRoots,
    });
    inputPaths[input.name] = fetched.path;
  }
  const logDir = path.join(workDir, "logs");
  const common = {
    spec,
    job: params.job,
    shard: params.shard,
    inputPaths,
    gpus: params.gpus,
    pull: params.pull,
    onLog: params.onLog,
    signal: params.signal,
    sandbox: params.sandbox,
  };
  const runs: ContainerRunResult[] = [];
  const itemHashes = new Map<number, `0x${string}`>(params.completedItems ?? []);

  if (spec.items === undefined) {
    const outputDir = path.join(workDir, "output");
    await fs.rm(outputDir, { recursive: true, force: true });
    const run = await runContainer(docker, {
      ...common,
      outputDir,
      logFile: path.join(logDir, `shard-${params.shard}.log`),
    });
    runs.push(run);
    if (!run.succeeded) return { status: statusOf(run), runs, itemHashes, commitment: null };
    return { status: "succeeded", runs, itemHashes, commitment: commitOutputs({ mode: "files", files: run.outputs }) };
  }

  const indices = params.onlyItems ?? spec.items.map((_, i) => i);
  for (const index of [...indices, ...itemHashes.keys()]) {
    if (!Number.isInteger(index) || index < 0 || index >= spec.items.length) {
      throw new RigelError("EXECUTOR_ITEM_RANGE", `item ${index} is not in the spec`, {
        details: { index, items: spec.items.length },
      });
    }
  }
  for (const index of indices) {
    if (itemHashes.has(index)) continue;
    const itemDir = path.join(workDir, "items", String(index));
    const outputDir = path.join(itemDir, "output");
    const hostFile = path.join(itemDir, "item.json");
    await fs.rm(outputDir, { recursive: true, force: true });
    await fs.mkdir(itemDir, { recursive: true });
    await fs.writeFile(hostFile, canonicalJson(spec.items[index]), { mode: 0o644 });
    const run = await runContainer(docker, {
      ...common,
      item: { index, value: spec.items[index], hostFile },
      outputDir,
      logFile: path.join(logDir, `shard-${params.shard}-item-${index}.log`),
    });
    runs.push(run);
    if (!run.succeeded) return { status: statusOf(run), runs, itemHashes, commitment: null };
    itemHashes.set(index, itemOutputHash(run.outputs));
  }
  const complete = itemHashes.size === spec.items.length;
  const commitment = complete
    ? commitOutputs({ mode: "items", itemHashes: spec.items.map((_, i) => itemHashes.get(i) as `0x${string}`) })
    : null;
  return { status: "succeeded", runs, itemHashes, commitment };
}

function statusOf(run: ContainerRunResult): ContainerJobStatus {
  if (run.timedOut) return "timedOut";
  if (run.oomKilled) return "oomKilled";
  return run.succeeded ? "succeeded" : "failed";
}
