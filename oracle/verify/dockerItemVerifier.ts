import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { defaultSandbox, type ContainerSandbox } from "../../sdk/executor/containerSandbox";
import type { SandboxCeilings } from "../../sdk/executor/sandboxCeilings";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { HttpError } from "../../sdk/errors/HttpError";
import type { Logger } from "../../sdk/log/createLogger";
import type { ContainerItemVerifier } from "../proofService";
import { defaultRerunConcurrency, RerunQueue } from "./rerunQueue";
import { verifyContainerItems } from "./verifyContainerItems";
import { verifyFailedRun } from "./verifyFailedRun";

/** The arguments of {@link dockerItemVerifier}. */
export interface DockerItemVerifierParameters {
  docker: DockerClient;
  /** Per-verification work folders go under `<workDir>/jobs` (removed afterwards); inputs are cached in `<workDir>/cache`. */
  workDir: string;
  logger?: Logger;
  /** Pull a missing image (default false: an absent image is this node's problem, answered 503). */
  pull?: boolean;
  /** Re-runs may use the GPUs a spec asks for (default false: GPU jobs get 422 ORACLE_EXECUTOR_UNAVAILABLE). */
  gpus?: boolean;
  allowRemoteInputHosts?: boolean;
  /** Directories `file://` inputs may be read from (default none). */
  allowedFileRoots?: readonly string[];
  /**
   * The confinement of every re-run (default `defaultSandbox()`: nobody, runc, no bridge network, a
   * 4 MiB log), the agent's executor with the same limits (PROTOCOL §12.3). Without `bridgeNetwork`
   * a `bridge` job is not re-run here (422 ORACLE_EXECUTOR_UNAVAILABLE with the reason), never the operator's fault.
   */
  sandbox?: ContainerSandbox;
  /**
   * This node's `sandbox*` ceilings (`prepareSandbox`, the agent's keys): a spec above one is not
   * re-run here (422 with the reason). Absent: no ceilings but the sandbox's own.
   */
  ceilings?: SandboxCeilings;
  /** Re-runs that may wait for a slot (default 64); one more is answered 503 ORACLE_BUSY. */
  rerunQueueMax?: number;
  /** Re-runs at once (default, or 0: half the host's CPUs, at least 1). */
  rerunConcurrency?: number;
  /** The item check (tests pass a fake executor through it). */
  verifyItems?: typeof verifyContainerItems;
  /** The failed-run check (tests pass a fake executor through it). */
  verifyFailure?: typeof verifyFailedRun;
}

/**
 * The node's container verifier: re-runs a proof's sampled items (`verifyContainerItems`) or the item
 * of a failed-run claim (`verifyFailedRun`) with the sdk's Docker executor. Re-runs go through one
 * queue per node (PROTOCOL §18.3): earliest reveal deadline first, at most `rerunConcurrency` at once,
 * at most `rerunQueueMax` waiting (then 503 ORACLE_BUSY); the checks that need no container (sample,
 * Merkle proofs) are not queued. Each verification gets a fresh work folder, removed afterwards; the
 * executor removes every container it started.
 */
export function dockerItemVerifier(p: DockerItemVerifierParameters): ContainerItemVerifier {
  const queue = new RerunQueue(p.rerunQueueMax ?? 64, p.rerunConcurrency || defaultRerunConcurrency());
  const verifyItems = p.verifyItems ?? verifyContainerItems;
  const verifyFailure = p.verifyFailure ?? verifyFailedRun;
  const sandbox = p.sandbox ?? defaultSandbox();
  return {
    async verify({ jobId, shard, spec, shards, root, beacon, request, revealBy }) {
      if (spec.kind !== "container") throw new HttpError(400, "ORACLE_BAD_FIELD", "kind: not a container job");
      if (!request.items && !request.failure)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "items: required in sampled mode", {
          details: { field: "items" },
        });
      const workDir = path.join(p.workDir, "jobs", `${jobId}-${shard}-${randomBytes(4).toString("hex")}`);
      const started = Date.now();
      const settings = {
        spec,
        jobId,
        shards,
        shard,
        docker: p.docker,
        workDir,
        cacheDir: path.join(p.workDir, "cache"),
        pull: p.pull,
        gpus: p.gpus,
        allowRemoteInputHosts: p.allowRemoteInputHosts,
        allowedFileRoots: p.allowedFileRoots,
        sandbox,
        ceilings: p.ceilings,
        gate: <T>(work: () => Promise<T>) => queue.run(revealBy, work),
      };
      try {
        const finding = request.failure
          ? await verifyFailure({ ...settings, failure: request.failure })
          : await verifyItems({ ...settings, root, beacon, items: request.items! });
        p.logger?.info(
          {
            jobId: jobId.toString(),
            shard,
            items: request.items?.length ?? 0,
            failure: request.failure ?? null,
            ms: Date.now() - started,
            verdict: finding.verdict,
            reason: finding.reason,
          },
          "container proof checked",
        );
        return finding;
      } finally {
        await fs.rm(workDir, { recursive: true, force: true }).catch((err: unknown) => {
          p.logger?.warn({ err, workDir }, "could not remove a verification work folder");
        });
      }
    },
  };
}
