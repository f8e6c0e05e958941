import fs from "node:fs";
import type { Readable } from "node:stream";
import type { LocalAccount } from "viem";
import { sha256File } from "../../sdk/executor/sha256File";
import { egressPut, EgressRefused, hostPolicy } from "../../sdk/net/egress";
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
  /**
   * Upload to public hosts (the agent's `allowRemoteHosts`; loopback then only with
   * `allowLoopback`); off: loopback only. Private, link-local and metadata addresses never.
   */
  allowRemoteHosts: boolean;
  allowLoopback?: boolean;
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

/** `<uploadUrl>/job-<id>/shard-<n>/`: where one shard's files go. */
export function shardUploadBase(uploadUrl: string, jobId: string, shard: number): URL {
  return new URL(`job-${jobId}/shard-${shard}/`, uploadUrl.endsWith("/") ? uploadUrl : `${uploadUrl}/`);
}

async function put(
  url: URL,
  body: Readable | string,
  headers: Record<string, string>,
  timeoutMs: number,
  hosts: { allowPublic: boolean; allowLoopback: boolean },
): Promise<void> {
  try {
    await egressPut({
      url: url.href,
      body,
      headers,
      policy: { ...hosts, maxBytes: 64 * 1024, totalTimeoutMs: timeoutMs },
    });
  } catch (err) {
    if (err instanceof EgressRefused && err.reason === "address")
      throw new ResultsUploadError("AGENT_UPLOAD_HOST", `PUT ${url.href}: ${err.summary}`, { cause: err });
    if (err instanceof EgressRefused && (err.reason === "status" || err.reason === "redirect"))
      throw new ResultsUploadError("AGENT_UPLOAD_REFUSED", `PUT ${url.href}: ${err.summary}`, {
        details: { status: err.details.status },
        cause: err,
      });
    throw new ResultsUploadError("AGENT_UPLOAD_UNREACHABLE", `PUT ${url.href}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * PUTs a shard's result files, then its manifest (PROTOCOL §14.9): each file to
 * `<base><path>` with `x-rigel-sha256`, then `<base>manifest.json` (the results manifest, every
 * file's sha256 and the committed root) signed by the operator, so the receiver can check who sent
 * it, that each file matches, and (against the chain) that the root is the one committed. Throws
 * `ResultsUploadError` `AGENT_UPLOAD_HOST` for a scheme not allowed, then `ResultsNotReleasedError`
 * `AGENT_RESULTS_NOT_RELEASED` before the shard is Settled or DeveloperFault on-chain (§18.7),
 * then, per PUT (through sdk/net/egress: addresses checked at connect time, no redirects),
 * `AGENT_UPLOAD_HOST` for an address the policy refuses (checked before anything is sent),
 * `AGENT_UPLOAD_REFUSED` for a non-2xx or redirect answer, `AGENT_UPLOAD_UNREACHABLE` otherwise.
 */
export async function uploadShardResults(p: UploadShardResultsParameters): Promise<UploadShardResultsReturnType> {
  const base = shardUploadBase(p.uploadUrl, p.manifest.jobId, p.manifest.shard);
  const hosts = hostPolicy(p.allowRemoteHosts, p.allowLoopback);
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new ResultsUploadError("AGENT_UPLOAD_HOST", `upload scheme ${base.protocol} is not allowed`);
  assertResultsReleased(BigInt(p.manifest.jobId), p.manifest.shard, await p.shardState());
  const timeoutMs = p.timeoutMs ?? 120_000;
  const entries: ResultsManifest["files"] = [];
  let bytes = 0;
  for (const [rel, abs] of p.files) {
    // Hashed, then streamed: a file is never held in memory whole.
    const { sha256, size } = await sha256File(abs);
    await put(
      new URL(rel.split("/").map(encodeURIComponent).join("/"), base),
      fs.createReadStream(abs),
      {
        "content-type": "application/octet-stream",
        "content-length": String(size),
        "x-rigel-sha256": sha256,
      },
      timeoutMs,
      hosts,
    );
    entries.push({ path: rel, sha256, size });
    bytes += size;
  }
  const manifestUrl = new URL("manifest.json", base);
  const text = JSON.stringify({ ...p.manifest, files: entries });
  const signed = await signRequest(p.account, {
    method: "PUT",
    path: manifestUrl.pathname + manifestUrl.search,
    body: text,
  });
  await put(manifestUrl, text, { "content-type": "application/json", ...signed }, timeoutMs, hosts);
  return { manifestUrl: manifestUrl.href, files: entries.length, bytes };
}
