import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { HttpError } from "../../sdk/errors/HttpError";
import type { Logger } from "../../sdk/log/createLogger";
import type { ContainerItemVerifier } from "../proofService";
import { verifyContainerItems } from "./verifyContainerItems";

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
  /** The item check (tests pass a fake executor through it). */
  verifyItems?: typeof verifyContainerItems;
}

/**
 * The node's container verifier: re-runs a proof's sampled items with the sdk's Docker executor
 * (`verifyContainerItems`). One re-run at a time per node (the sample is at most SAMPLE_SIZE items, docs/PROTOCOL.md §3.5, each bounded by
 * the spec's timeout); the checks that need no container (sample, Merkle proofs) are not queued.
 * Each verification gets a fresh work folder, removed afterwards; the executor removes every
 * container it started.
 */
export function dockerItemVerifier(p: DockerItemVerifierParameters): ContainerItemVerifier {
  let queue: Promise<void> = Promise.resolve();
  /** Runs `work` after every earlier re-run has finished. */
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = queue.then(work);
    queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };
  const verify = p.verifyItems ?? verifyContainerItems;
  return {
    async verify({ jobId, shard, spec, shards, root, beacon, request }) {
      if (spec.kind !== "container") throw new HttpError(400, "ORACLE_BAD_FIELD", "kind: not a container job");
      if (!request.items)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "items: required in sampled mode", {
          details: { field: "items" },
        });
      const workDir = path.join(p.workDir, "jobs", `${jobId}-${shard}-${randomBytes(4).toString("hex")}`);
      const started = Date.now();
      try {
        const finding = await verify({
          spec,
          jobId,
          shards,
          shard,
          root,
          beacon,
          items: request.items,
          docker: p.docker,
          workDir,
          cacheDir: path.join(p.workDir, "cache"),
          pull: p.pull,
          gpus: p.gpus,
          allowRemoteInputHosts: p.allowRemoteInputHosts,
          allowedFileRoots: p.allowedFileRoots,
          gate: serialised,
        });
        p.logger?.info(
          {
            jobId: jobId.toString(),
            shard,
            items: request.items.length,
            ms: Date.now() - started,
            reason: finding.reason,
          },
          "container sample checked",
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
