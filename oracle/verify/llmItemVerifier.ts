import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { HttpError } from "../../sdk/errors/HttpError";
import type { Logger } from "../../sdk/log/createLogger";
import type { RevealedLlmItemJson } from "../../sdk/oracleApi/types";
import type { ContainerItemVerifier } from "../proofService";
import { defaultRerunConcurrency, RerunQueue } from "./rerunQueue";
import { verifyLlmItems } from "./verifyLlmItems";

/** The arguments of {@link llmItemVerifier}. */
export interface LlmItemVerifierParameters {
  /** Per-verification folders go under `<workDir>/llm` (removed afterwards); model files are cached in `<workDir>/cache`. */
  workDir: string;
  logger?: Logger;
  /** The python that runs `sdk/python/infer.py`. */
  pythonPath: string;
  /** Limit of one `infer.py verify` run (ms). */
  timeoutMs: number;
  allowRemoteHosts?: boolean;
  allowedFileRoots?: readonly string[];
  /** Verifications that may wait for a slot (then 503 ORACLE_BUSY). */
  queueMax?: number;
  /** Runtimes at once (0 or absent: half the host's CPUs, at least 1). */
  concurrency?: number;
  /** The check (tests pass a fake runtime through it). */
  verifyItems?: typeof verifyLlmItems;
}

/**
 * The node's llm-inference verifier (docs/PROTOCOL.md §19.6): `verifyLlmItems` with one queue per
 * node (earliest reveal deadline first, bounded concurrency, as the container re-run queue of §18.3)
 * and a fresh work folder per verification, removed afterwards.
 */
export function llmItemVerifier(p: LlmItemVerifierParameters): ContainerItemVerifier {
  const queue = new RerunQueue(p.queueMax ?? 64, p.concurrency || defaultRerunConcurrency());
  const verify = p.verifyItems ?? verifyLlmItems;
  return {
    async verify({ jobId, shard, spec, shards, root, beacon, request, revealBy }) {
      if (spec.kind !== "llm-inference") throw new HttpError(400, "ORACLE_BAD_FIELD", "kind: not an llm-inference job");
      if (!request.items) {
        throw new HttpError(400, "ORACLE_BAD_FIELD", "items: required in activations mode", {
          details: { field: "items" },
        });
      }
      const workDir = path.join(p.workDir, "llm", `${jobId}-${shard}-${randomBytes(4).toString("hex")}`);
      const started = Date.now();
      try {
        await fs.mkdir(workDir, { recursive: true });
        const finding = await verify({
          spec,
          shards,
          shard,
          root,
          beacon,
          items: request.items as RevealedLlmItemJson[],
          workDir,
          cacheDir: path.join(p.workDir, "cache"),
          allowRemoteHosts: p.allowRemoteHosts,
          allowedFileRoots: p.allowedFileRoots,
          pythonPath: p.pythonPath,
          timeoutMs: p.timeoutMs,
          gate: (work) => queue.run(revealBy, work),
        });
        p.logger?.info(
          {
            jobId: jobId.toString(),
            shard,
            items: request.items.length,
            ms: Date.now() - started,
            verdict: finding.verdict,
            reason: finding.reason,
          },
          "llm-inference proof checked",
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
