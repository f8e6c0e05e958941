import { createHash } from "node:crypto";
import fs from "node:fs";
import type { LocalAccount } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";
import { RigelError } from "../../sdk/errors/RigelError";
import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import { assertResultsReleased } from "./assertResultsReleased";

/** An upload the receiver refused or could not be reached for. */
export class ResultsUploadError extends RigelError {
  override readonly name = "ResultsUploadError";
}

export interface UploadShardResultsParameters {
  /** The spec's `uploadUrl`. */
  uploadUrl: string;
  /** The operator account: it signs the manifest PUT (PROTOCOL §4.2). */
  account: LocalAccount;
  manifest: Omit<ResultsManifest, "files">;
  /** Manifest path → absolute file path (agent/results/resultsRoutes.ts `shardResultFiles`). */
  files: ReadonlyMap<string, string>;
  /** Upload to hosts other than loopback (the agent's `allowRemoteHosts`). */
  allowRemoteHosts: boolean;
  /**
   * The shard's on-chain state now (sdk/market `readShard`): nothing is sent unless it is Settled or
   * DeveloperFault (PROTOCOL §18.7).
   */
  shardState: () => Promise<number>;
  timeoutMs?: number;
}

export interface UploadShardResultsReturnType {
  manifestUrl: string;
  files: number;
  bytes: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** `<uploadUrl>/job-<id>/shard-<n>/`: where one shard's files go. */
export function shardUploadBase(uploadUrl: string, jobId: string, shard: number): URL {
  return new URL(`job-${jobId}/shard-${shard}/`, uploadUrl.endsWith("/") ? uploadUrl : `${uploadUrl}/`);
}

async function put(url: URL, body: Blob | string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: "PUT", body, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ResultsUploadError("AGENT_UPLOAD_UNREACHABLE", `PUT ${url.href}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!response.ok) {
    throw new ResultsUploadError("AGENT_UPLOAD_REFUSED", `PUT ${url.href} answered HTTP ${response.status}`, {
      details: { status: response.status },
    });
  }
}

/**
 * PUTs a shard's result files, then its manifest (PROTOCOL §14.9): each file to
 * `<base><path>` with `x-rigel-sha256`, then `<base>manifest.json` (the results manifest, every
 * file's sha256 and the committed root) signed by the operator, so the receiver can check who sent
 * it, that each file matches, and (against the chain) that the root is the one committed. Throws
 * `ResultsUploadError` `AGENT_UPLOAD_HOST` for a host not allowed, then `ResultsNotReleasedError`
 * `AGENT_RESULTS_NOT_RELEASED` before the shard is Settled or DeveloperFault on-chain (§18.7),
 * then `AGENT_UPLOAD_UNREACHABLE` / `AGENT_UPLOAD_REFUSED` for a PUT that fails.
 */
export async function uploadShardResults(p: UploadShardResultsParameters): Promise<UploadShardResultsReturnType> {
  const base = shardUploadBase(p.uploadUrl, p.manifest.jobId, p.manifest.shard);
  if (!p.allowRemoteHosts && !LOOPBACK.has(base.hostname)) {
    throw new ResultsUploadError(
      "AGENT_UPLOAD_HOST",
      `upload host ${base.hostname} is not allowed (only loopback unless allowRemoteHosts)`,
    );
  }
  assertResultsReleased(BigInt(p.manifest.jobId), p.manifest.shard, await p.shardState());
  const timeoutMs = p.timeoutMs ?? 120_000;
  const entries: ResultsManifest["files"] = [];
  let bytes = 0;
  for (const [rel, abs] of p.files) {
    const data = fs.readFileSync(abs);
    const sha256 = `0x${createHash("sha256").update(data).digest("hex")}`;
    await put(
      new URL(rel.split("/").map(encodeURIComponent).join("/"), base),
      new Blob([data]),
      {
        "content-type": "application/octet-stream",
        "x-rigel-sha256": sha256,
      },
      timeoutMs,
    );
    entries.push({ path: rel, sha256: sha256 as `0x${string}`, size: data.length });
    bytes += data.length;
  }
  const manifestUrl = new URL("manifest.json", base);
  const text = JSON.stringify({ ...p.manifest, files: entries });
  const signed = await signRequest(p.account, {
    method: "PUT",
    path: manifestUrl.pathname + manifestUrl.search,
    body: text,
  });
  await put(manifestUrl, text, { "content-type": "application/json", ...signed }, timeoutMs);
  return { manifestUrl: manifestUrl.href, files: entries.length, bytes };
}
