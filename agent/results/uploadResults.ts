import fs from "node:fs";
import type { Readable } from "node:stream";
import type { LocalAccount } from "viem";
import { sha256File } from "../../sdk/executor/sha256File";
import { egressPut, EgressRefused, hostPolicy } from "../../sdk/net/egress";
import { requestNonce } from "../../sdk/auth/requestNonce";
import { signRequest } from "../../sdk/auth/signRequest";
import { RigelError } from "../../sdk/errors/RigelError";
import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import { shardUploadBase } from "../../sdk/agentApi/resultsStoreUrl";
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

export { shardUploadBase };

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
 * PUTs a shard's results manifest, then its files (PROTOCOL §14.9): `<base>manifest.json` (the
 * results manifest, every file's sha256 and size and the committed root) signed by the operator
 * (§4.2 version 2, a fresh nonce), so the receiver can check who sent it and (against the chain)
 * that the root is the one committed; then each file to `<base><path>` with `x-rigel-sha256`, which
 * the receiver checks against the manifest. Throws
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
    // Hashed here, streamed below: a file is never held in memory whole.
    const { sha256, size } = await sha256File(abs);
    entries.push({ path: rel, sha256, size });
    bytes += size;
  }
  // The signed manifest first: it announces each file's sha256 and size, so a receiver (the results
  // store, §18.8) accepts under each path only those bytes, from whoever sends them.
  const manifestUrl = new URL("manifest.json", base);
  const text = JSON.stringify({ ...p.manifest, files: entries });
  const signed = await signRequest(p.account, {
    method: "PUT",
    path: manifestUrl.pathname + manifestUrl.search,
    body: text,
    nonce: requestNonce(),
  });
  await put(manifestUrl, text, { "content-type": "application/json", ...signed }, timeoutMs, hosts);
  for (const entry of entries) {
    await put(
      new URL(entry.path.split("/").map(encodeURIComponent).join("/"), base),
      fs.createReadStream(p.files.get(entry.path)!),
      {
        "content-type": "application/octet-stream",
        "content-length": String(entry.size),
        "x-rigel-sha256": entry.sha256,
      },
      timeoutMs,
      hosts,
    );
  }
  return { manifestUrl: manifestUrl.href, files: entries.length, bytes };
}
