import type { Address, Client } from "viem";
import { RigelError } from "../errors/RigelError";
import { isFinalShardState, ShardState } from "./enums";
import { readJobStatus, type JobStatus } from "./readJobStatus";

/** Parameters of {@link watchJob}. */
export interface WatchJobParameters {
  /** JobMarket's address. */
  market: Address;
  jobId: bigint;
  /** Time between two reads (ms, default 2000). */
  pollIntervalMs?: number;
  /** Give up after this long (ms; default: never). Throws {@link WatchJobTimeoutError}. */
  timeoutMs?: number;
  /** Stop watching: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the first status, then each time a shard's state changes. */
  onProgress?: (progress: WatchJobProgress) => void;
}

/** A job's progress: its status, and how many of its shards are in each outcome. */
export interface WatchJobProgress {
  status: JobStatus;
  /** Shards in a final state (Settled, Failed, Cancelled, Expired, DeveloperFault). */
  final: number;
  settled: number;
  /** Shards whose outcome is not the result: Failed, Cancelled, Expired or DeveloperFault. */
  unsuccessful: number;
  shards: number;
}

/** What {@link watchJob} resolves with: the last progress, every shard final. */
export interface WatchJobReturnType extends WatchJobProgress {
  /** Every shard Settled. */
  ok: boolean;
}

/** {@link watchJob} ran out of `timeoutMs` before every shard was final. */
export class WatchJobTimeoutError extends RigelError {
  override readonly name = "WatchJobTimeoutError";
}

function progressOf(status: JobStatus): WatchJobProgress {
  const final = status.shards.filter((s) => isFinalShardState(s.state)).length;
  const settled = status.shards.filter((s) => s.state === ShardState.Settled).length;
  return { status, final, settled, unsuccessful: final - settled, shards: status.shards.length };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Watches a job until every shard is final (docs/PROTOCOL.md §17): reads {@link readJobStatus} every
 * `pollIntervalMs`, calls `onProgress` with the first status and on each shard state change, and
 * resolves with the last progress (`ok` when every shard Settled). A job that is not final by
 * `timeoutMs` throws {@link WatchJobTimeoutError}; an aborted `signal` rejects with its reason; an
 * unknown job throws `MarketUnknownJobError`. Browser-safe.
 */
export async function watchJob(client: Client, parameters: WatchJobParameters): Promise<WatchJobReturnType> {
  const { market, jobId, pollIntervalMs = 2000, timeoutMs, signal, onProgress } = parameters;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const progress = progressOf(await readJobStatus(client, { market, jobId }));
    const states = progress.status.shards.map((s) => s.state).join(",");
    if (states !== last) {
      last = states;
      onProgress?.(progress);
    }
    if (progress.final === progress.shards) return { ...progress, ok: progress.settled === progress.shards };
    if (Date.now() + pollIntervalMs > deadline) {
      throw new WatchJobTimeoutError("WATCH_JOB_TIMEOUT", `job ${jobId} is not final after ${timeoutMs} ms`, {
        details: { jobId: String(jobId), final: progress.final, shards: progress.shards },
      });
    }
    await sleep(pollIntervalMs, signal);
  }
}
