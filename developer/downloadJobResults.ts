// `rigel job results`: downloads each submitted shard's results from its operator's agent (§14.3)
// at the URI of its `ShardSubmitted` event, checks them against the root committed on-chain, and
// reports per shard; one shard's failure does not stop the others.
import fs from "node:fs/promises";
import path from "node:path";
import type { Address, Hex, LocalAccount } from "viem";
import { downloadShardResultsFromSources, type DownloadProgress } from "../sdk/agentApi/results";
import { storeResultsUri } from "../sdk/agentApi/resultsStoreUrl";
import { UsageError } from "../sdk/cli/commands";
import { RigelError } from "../sdk/errors/RigelError";
import { ShardState, shardStateName } from "../sdk/market/enums";
import { MarketUnknownJobError, readJob } from "../sdk/market/readJob";
import { readShard } from "../sdk/market/readShard";
import { committedRoot } from "../sdk/market/claimedShards";
import { jobCreatedEvent } from "../sdk/market/events";
import { fetchJobSpec } from "../sdk/spec/fetchJobSpec";
import type { Connection } from "./connect";
import { readSubmissions } from "./readSubmissions";

/** Parameters of {@link downloadJobResults}. */
export interface DownloadJobResultsParameters {
  jobId: bigint;
  /** The developer's account: the agent serves results only to requests it signed. */
  account: LocalAccount;
  /** Files go to `<outDir>/job-<id>/shard-<n>/`. */
  outDir: string;
  /** Only this shard. */
  shard?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /**
   * The results store to fall back to (its `uploadUrl`, `<store>/v1/store`, PROTOCOL §18.8) when the
   * operator's agent does not answer or its files do not check; default the spec's `uploadUrl`.
   */
  storeUrl?: string;
  /** Progress of one shard's download (the manifest, then each checked file). */
  onProgress?: (shard: number, event: DownloadProgress) => void;
}

/** A shard whose files were downloaded and commit to the on-chain root. */
export interface ShardResultsOk {
  shard: number;
  state: string;
  ok: true;
  operator: Address;
  /** The shard's `ShardSubmitted` URI (absent when only the store was asked). */
  resultURI?: string;
  storeUri?: string;
  /** The on-chain result root, which the downloaded files recompute. */
  root: Hex;
  rootOk: true;
  /** Who served the files: the operator's agent, or the results store when the agent failed. */
  source: "operator" | "store";
  sourceUri: string;
  /** Why the operator's copy was not used, when the store's was. */
  operatorError?: { code: string; message: string };
  dir: string;
  files: { path: string; size: number }[];
  bytes: number;
}

/** A shard without results: not submitted, failed, refunded, an agent unreachable or refusing, a mismatch. */
export interface ShardResultsFailed {
  shard: number;
  state: string;
  ok: false;
  operator?: Address;
  resultURI?: string;
  storeUri?: string;
  error: { code: string; message: string };
}

export type ShardResults = ShardResultsOk | ShardResultsFailed;

export interface DownloadJobResultsReturnType {
  jobId: bigint;
  /** `<outDir>/job-<id>`. */
  dir: string;
  ok: boolean;
  shards: ShardResults[];
}

/** Why a shard in `state` has no results to download (null: it has). */
function noResultsReason(state: number): { code: string; message: string } | null {
  switch (state) {
    case ShardState.Submitted:
    case ShardState.Settled:
      return null;
    case ShardState.Open:
    case ShardState.Accepted:
      return { code: "RIGEL_RESULTS_NOT_SUBMITTED", message: `not submitted yet (${shardStateName(state)})` };
    case ShardState.Failed:
      return {
        code: "RIGEL_RESULTS_FAILED",
        message: "the committee found the result invalid (Failed): escrow refunded, nothing to download",
      };
    case ShardState.DeveloperFault:
      // Its root commits to the failed run (sdk/failedRun), not to outputs that a manifest could match.
      return {
        code: "RIGEL_RESULTS_DEVELOPER_FAULT",
        message:
          "the job's code failed on this shard (DeveloperFault): the operator was paid for the units used and the rest refunded; no verified outputs to download",
      };
    default:
      return { code: "RIGEL_RESULTS_NONE", message: `no results: the shard was ${shardStateName(state)} and refunded` };
  }
}

/**
 * The job spec's `uploadUrl` (PROTOCOL §14.9), from the spec its `JobCreated` event names and whose
 * hash it carries; undefined when the spec has none or cannot be read (then no store is tried).
 */
export async function specUploadUrl(conn: Connection, jobId: bigint): Promise<string | undefined> {
  try {
    const [log] = await conn.publicClient.getLogs({
      address: conn.deployment.contracts.JobMarket,
      event: jobCreatedEvent,
      args: { jobId },
      fromBlock: BigInt(conn.deployment.block ?? 0),
    });
    if (!log?.args.specURI || !log.args.specHash) return undefined;
    const { spec } = await fetchJobSpec(log.args.specURI, log.args.specHash, {
      allowRemoteHosts: true,
      allowLoopback: true,
    });
    return spec.uploadUrl;
  } catch {
    return undefined;
  }
}

/**
 * Downloads the results of a job's Submitted and Settled shards (all, or `shard`), each checked
 * against its on-chain `resultRoot`: from the operator's agent, and when it does not answer or its
 * files do not check, from the results store (`storeUrl`, default the spec's `uploadUrl`, §18.8). Per-shard failures are
 * returned, not thrown; an unknown job or shard is a {@link UsageError}.
 */
export async function downloadJobResults(
  conn: Connection,
  params: DownloadJobResultsParameters,
): Promise<DownloadJobResultsReturnType> {
  const market = conn.deployment.contracts.JobMarket;
  const job = await readJob(conn.publicClient, { market, jobId: params.jobId }).catch((err) => {
    if (err instanceof MarketUnknownJobError) {
      throw new UsageError("RIGEL_JOB_UNKNOWN", `no job ${params.jobId} on this market`);
    }
    throw err;
  });
  if (params.shard !== undefined && (!Number.isInteger(params.shard) || params.shard >= job.shards)) {
    throw new UsageError("RIGEL_JOB_BAD_SHARD", `job ${params.jobId} has shards 0..${job.shards - 1}`);
  }
  if (params.account.address.toLowerCase() !== job.developer.toLowerCase()) {
    throw new UsageError(
      "RIGEL_JOB_NOT_DEVELOPER",
      `only the job's developer ${job.developer} may download its results (this key is ${params.account.address})`,
    );
  }
  const dir = path.resolve(params.outDir, `job-${params.jobId}`);
  const indices = params.shard !== undefined ? [params.shard] : Array.from({ length: job.shards }, (_, i) => i);
  // The result URI is emitted at submit, not stored (PROTOCOL §9.2): one log query for every shard.
  const submissions = await readSubmissions(conn, params.jobId);
  const storeUrl = params.storeUrl ?? (await specUploadUrl(conn, params.jobId));
  const shards: ShardResults[] = [];
  for (const i of indices) {
    const sh = await readShard(conn.publicClient, { market, jobId: params.jobId, shard: i });
    const base = { shard: i, state: shardStateName(sh.state) };
    const reason = noResultsReason(sh.state);
    if (reason) {
      shards.push({ ...base, ok: false, error: reason });
      continue;
    }
    const submitted = submissions.get(i);
    const storeUri = storeUrl === undefined ? undefined : storeResultsUri(storeUrl, params.jobId, i);
    if (!submitted && !storeUri) {
      const message = `no ShardSubmitted event for shard ${i} since block ${conn.deployment.block}, and no results store`;
      shards.push({ ...base, operator: sh.operator, ok: false, error: { code: "RIGEL_RESULTS_NO_URI", message } });
      continue;
    }
    const where = { operator: sh.operator, resultURI: submitted?.resultURI || undefined, storeUri };
    const root = committedRoot(sh.resultRoot, submitted?.resultRoot);
    const shardDir = path.join(dir, `shard-${i}`);
    try {
      const got = await downloadShardResultsFromSources(
        { resultURI: where.resultURI, storeUri },
        params.account,
        shardDir,
        {
          expectedRoot: root,
          timeoutMs: params.timeoutMs,
          onProgress: (event) => params.onProgress?.(i, event),
        },
      );
      // The committed files as written (only those: anything else in the manifest was not fetched).
      const files = await Promise.all(
        got.files.map(async (file) => ({
          path: path.relative(shardDir, file).split(path.sep).join("/"),
          size: (await fs.stat(file)).size,
        })),
      );
      shards.push({
        ...base,
        ...where,
        ok: true,
        root,
        rootOk: true,
        source: got.source,
        sourceUri: got.sourceUri,
        ...(got.operatorError ? { operatorError: got.operatorError } : {}),
        dir: shardDir,
        files,
        bytes: files.reduce((sum, f) => sum + f.size, 0),
      });
    } catch (err) {
      const error =
        err instanceof RigelError
          ? { code: err.code, message: err.chain().join(": ") }
          : { code: "RIGEL_RESULTS_ERROR", message: (err as Error)?.message ?? String(err) };
      shards.push({ ...base, ...where, ok: false, error });
    }
  }
  return { jobId: params.jobId, dir, ok: shards.every((s) => s.ok), shards };
}
