import type { Hex } from "viem";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { runContainerJob, type RunContainerJobReturnType } from "../../sdk/executor/runContainerJob";
import { HttpError } from "../../sdk/errors/HttpError";
import { ItemProofError, ItemSampleError } from "../../sdk/itemSample/errors";
import { verifyItemSample } from "../../sdk/itemSample/verifyItemSample";
import type { SampledItemJson } from "../../sdk/oracleApi/types";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import { containerShardItems } from "../../sdk/spec/shardWork";
import { ExecutorUnavailableError } from "./executorUnavailableError";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyContainerItems}. */
export interface VerifyContainerItemsParameters {
  spec: ContainerJobSpec;
  jobId: bigint;
  shards: number;
  shard: number;
  root: Hex;
  beacon: Hex;
  /** The sampled items as posted: LOCAL indices (position in the shard's item range), in the order drawn. */
  items: readonly SampledItemJson[];
  docker: DockerClient;
  workDir: string;
  cacheDir: string;
  /** Pull a missing image (default false: the image must be on this host). */
  pull?: boolean;
  /** This node may give a re-run the GPUs the spec asks for (default false: GPU jobs cannot be re-run here). */
  gpus?: boolean;
  /** Fetch inputs from non-loopback http(s) hosts (default false). */
  allowRemoteInputHosts?: boolean;
  /** Directories `file://` inputs may be read from (default none). */
  allowedFileRoots?: readonly string[];
  /** Wraps the re-run, once the sample and proofs are checked (the node's one-at-a-time queue). Default: runs it. */
  gate?: <T>(rerun: () => Promise<T>) => Promise<T>;
  /** The executor (sdk/executor runContainerJob); tests pass a fake. */
  run?: typeof runContainerJob;
}

/**
 * Container jobs in `sampled` mode (docs/PROTOCOL.md §13.3): `verifyItemSample` (sdk/itemSample) checks
 * that the posted items are exactly the sample `sampleIndices(beacon, itemCount, SAMPLE_SIZE)` (local
 * indices; else HTTP 400, nothing signed) and that each posted leaf `[i, outputHash]` is in the
 * submitted outputs tree (§12.4; else Invalid `ITEM_BAD_PROOF`); then the node re-runs
 * those items with the sdk's Docker executor, as the agent ran them, and compares the item hashes:
 * a re-run that exits non-zero or is killed for memory (`ITEM_RUN_FAILED`) or that hashes otherwise
 * (`ITEM_OUTPUT_MISMATCH`) is Invalid. What this node cannot do itself (missing image, Docker down,
 * input unavailable, no GPU, a timeout on this host) throws {@link ExecutorUnavailableError}.
 */
export async function verifyContainerItems(p: VerifyContainerItemsParameters): Promise<VerifierFinding> {
  const range = containerShardItems(p.spec, p.shards, p.shard);
  if (range === undefined) {
    throw new HttpError(422, "ORACLE_UNSUPPORTED", "a single-run container job has no items to sample");
  }
  let indices: number[];
  try {
    ({ indices } = verifyItemSample({
      root: p.root,
      beacon: p.beacon,
      itemCount: range.end - range.start,
      items: p.items,
    }));
  } catch (err) {
    if (err instanceof ItemSampleError) {
      throw new HttpError(400, "ORACLE_SAMPLE_MISMATCH", "items: not the sample drawn from the shard's beacon", {
        details: { field: "items", expected: err.expected, got: err.got },
        cause: err,
      });
    }
    if (err instanceof ItemProofError) {
      return { valid: false, reason: `${err.code}: ${err.message}`, verified: true };
    }
    throw err;
  }
  if (p.spec.gpus > 0 && p.gpus !== true) {
    throw new ExecutorUnavailableError(`the job needs ${p.spec.gpus} GPU(s) and this node re-runs without GPUs`, {
      status: 422,
      details: { gpus: p.spec.gpus },
    });
  }
  const run = p.run ?? runContainerJob;
  const gate = p.gate ?? ((rerun) => rerun());
  let result: RunContainerJobReturnType;
  try {
    result = await gate(() =>
      run(p.docker, {
        spec: p.spec,
        job: p.jobId.toString(),
        shard: p.shard,
        workDir: p.workDir,
        cacheDir: p.cacheDir,
        pull: p.pull ?? false,
        allowRemoteInputHosts: p.allowRemoteInputHosts ?? false,
        allowedFileRoots: p.allowedFileRoots ?? [],
        onlyItems: indices.map((i) => range.start + i),
      }),
    );
  } catch (err) {
    // Missing image, Docker not answering, an input this node cannot fetch or that no longer
    // matches its hash, a container Docker refuses to create: none of it is the operator's doing.
    throw new ExecutorUnavailableError(`this node could not re-run the sample: ${(err as Error).message}`, {
      details: { jobId: p.jobId.toString(), shard: p.shard },
      cause: err,
    });
  }
  const last = result.runs[result.runs.length - 1];
  if (result.status === "timedOut") {
    // A timeout depends on this host's speed and load as much as on the item: never slash for it.
    throw new ExecutorUnavailableError(`item ${last?.item ?? "?"} timed out on this node`, {
      details: { jobId: p.jobId.toString(), shard: p.shard, item: last?.item ?? null },
    });
  }
  if (result.status !== "succeeded") {
    const how = result.status === "oomKilled" ? "was killed for memory" : `exited with code ${last?.exitCode ?? "?"}`;
    const local = last?.item === null || last?.item === undefined ? "?" : last.item - range.start;
    return { valid: false, reason: `ITEM_RUN_FAILED: item ${local} ${how}`, verified: true };
  }
  for (const item of p.items) {
    const mine = result.itemHashes.get(range.start + item.index);
    if (mine === undefined || mine.toLowerCase() !== item.outputHash.toLowerCase()) {
      return {
        valid: false,
        reason: `ITEM_OUTPUT_MISMATCH: item ${item.index} re-ran to ${mine ?? "nothing"}, not ${item.outputHash}`,
        verified: true,
      };
    }
  }
  return { valid: true, reason: "verified", verified: true };
}
