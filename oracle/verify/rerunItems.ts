import path from "node:path";
import type { ContainerSandbox } from "../../sdk/executor/containerSandbox";
import { sandboxDecline, type SandboxCeilings } from "../../sdk/executor/sandboxCeilings";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { runContainerJob, type RunContainerJobReturnType } from "../../sdk/executor/runContainerJob";
import { HttpError } from "../../sdk/errors/HttpError";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import { ExecutorUnavailableError } from "./executorUnavailableError";

/** What every re-run of a shard's items needs: the job, the executor and this node's limits. */
export interface RerunSettings {
  spec: ContainerJobSpec;
  jobId: bigint;
  shard: number;
  docker: DockerClient;
  /** This verification's folder; each re-run gets a sub-folder of it. */
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
  /** The confinement of the re-run (the agent's sandbox: user, runtime, bridge network, log budget, registries). */
  sandbox?: ContainerSandbox;
  /**
   * This node's `sandbox*` ceilings (the agent's keys, PROTOCOL §12.5): a spec above one, or asking
   * for a network this node does not offer, is not re-run here (422, with the reason). Absent: none.
   */
  ceilings?: SandboxCeilings;
  /** Wraps each re-run (the node's re-run queue, oracle/verify/rerunQueue.ts). Default: runs it. */
  gate?: <T>(rerun: () => Promise<T>) => Promise<T>;
  /** The executor (sdk/executor runContainerJob); tests pass a fake. */
  run?: typeof runContainerJob;
}

/** Input of {@link rerunItems}. */
export interface RerunItemsParameters extends RerunSettings {
  /** The sub-folder of `workDir` for this re-run (two re-runs of one verification must not share one). */
  folder: string;
  /** Global item indices to run, in order; undefined: the single run of a single-run job. */
  items: readonly number[] | undefined;
  /** A timeout here is a result (a failure claim it confirms), not this node's trouble (default false). */
  timeoutIsResult?: boolean;
}

/**
 * One re-run of a container shard's items (or its single run) on this node, through the node's
 * re-run queue (PROTOCOL §13.3, §18.2). A non-zero exit or an OOM kill is a result; what this node
 * cannot do itself — a GPU job without `gpus`, a missing image, Docker not answering, an input it
 * cannot fetch, a spec above this node's sandbox ceilings or asking for a network it does not offer
 * (422, the reason said, never a bare 503), and (unless `timeoutIsResult`) a timeout, which depends on this host's speed and load
 * as much as on the item — throws {@link ExecutorUnavailableError}; a full queue throws 503 `ORACLE_BUSY`.
 */
export async function rerunItems(p: RerunItemsParameters): Promise<RunContainerJobReturnType> {
  if (p.spec.gpus > 0 && p.gpus !== true) {
    throw new ExecutorUnavailableError(`the job needs ${p.spec.gpus} GPU(s) and this node re-runs without GPUs`, {
      status: 422,
      details: { gpus: p.spec.gpus },
    });
  }
  const refused = sandboxRefusal(p.spec, p.sandbox, p.ceilings);
  if (refused !== undefined) {
    throw new ExecutorUnavailableError(`this node does not re-run this job: ${refused.reason}`, {
      status: 422,
      details: { code: refused.code },
    });
  }
  const run = p.run ?? runContainerJob;
  const gate = p.gate ?? ((work) => work());
  let result: RunContainerJobReturnType;
  try {
    result = await gate(() =>
      run(p.docker, {
        spec: p.spec,
        job: p.jobId.toString(),
        shard: p.shard,
        workDir: path.join(p.workDir, p.folder),
        cacheDir: p.cacheDir,
        pull: p.pull ?? false,
        allowRemoteInputHosts: p.allowRemoteInputHosts ?? false,
        allowedFileRoots: p.allowedFileRoots ?? [],
        sandbox: p.sandbox,
        onlyItems: p.items,
      }),
    );
  } catch (err) {
    if (err instanceof HttpError && err.code === "ORACLE_BUSY") throw err;
    // Missing image, Docker not answering, an input this node cannot fetch or that no longer
    // matches its hash, a container Docker refuses to create: none of it is the operator's doing.
    throw new ExecutorUnavailableError(`this node could not re-run the sample: ${(err as Error).message}`, {
      details: { jobId: p.jobId.toString(), shard: p.shard },
      cause: err,
    });
  }
  if (result.status === "timedOut" && p.timeoutIsResult !== true) {
    const last = result.runs[result.runs.length - 1];
    throw new ExecutorUnavailableError(`item ${last?.item ?? "?"} timed out on this node`, {
      details: { jobId: p.jobId.toString(), shard: p.shard, item: last?.item ?? null },
    });
  }
  return result;
}

/**
 * Why this node's sandbox will not re-run a spec, before any container: above a ceiling, a network
 * not allowed, or `bridge` without the filtered public bridge (its setup failed at start: the reason
 * is `ceilings.bridgeUnavailable`; no ceilings and no bridge network: `bridge` is not offered).
 */
function sandboxRefusal(
  spec: ContainerJobSpec,
  sandbox: ContainerSandbox | undefined,
  ceilings: SandboxCeilings | undefined,
): { code: string; reason: string } | undefined {
  if (ceilings !== undefined) {
    const above = sandboxDecline(spec, ceilings);
    if (above !== undefined) return above;
  }
  if (spec.network === "bridge" && sandbox?.bridgeNetwork === undefined) {
    return {
      code: "SANDBOX_NETWORK",
      reason: `network "bridge" is unavailable here: ${ceilings?.bridgeUnavailable ?? "this node offers no filtered public bridge (sandboxNetworks)"}`,
    };
  }
  return undefined;
}
