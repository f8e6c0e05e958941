import path from "node:path";
import type { Address, Client, Hex, LocalAccount } from "viem";
import { getContractEvents } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import { ShardState, shardStateName } from "../market/enums";
import { readJob } from "../market/readJob";
import { readShard } from "../market/readShard";
import { committedRoot, isClaimedSubmission, operatorEndpoints, resultURIOf } from "../market/claimedShards";
import { downloadShardResults, type DownloadProgress } from "./results";

/** Parameters of {@link downloadResults}. */
export interface DownloadResultsParameters {
  /** JobMarket's address. */
  market: Address;
  jobId: bigint;
  /** The job's developer: the agent serves results only to requests this account signed. */
  account: LocalAccount;
  /** Files go to `<outDir>/job-<id>/shard-<n>/`. */
  outDir: string;
  /**
   * OperatorStaking's address: where a claimed shard's results are found (its operator's registered
   * endpoint, PROTOCOL §20.10); without it such a shard reports `RESULTS_NO_URI`.
   */
  staking?: Address;
  /** Where the scan for `ShardSubmitted` starts (the deployment's block; default 0). */
  fromBlock?: bigint;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Progress of one shard's download (the manifest, then each checked file). */
  onProgress?: (shard: number, event: DownloadProgress) => void;
}

/** One shard's outcome: its files, checked against the on-chain root, or why there are none. */
export type ShardDownload =
  | { shard: number; state: string; ok: true; root: Hex; resultURI: string; dir: string; files: string[] }
  | { shard: number; state: string; ok: false; error: { code: string; message: string } };

export interface DownloadResultsReturnType {
  jobId: bigint;
  /** `<outDir>/job-<id>`. */
  dir: string;
  /** Every shard downloaded and verified. */
  ok: boolean;
  shards: ShardDownload[];
}

/**
 * Downloads the results of a job's Submitted and Settled shards from their operators' agents
 * (docs/PROTOCOL.md §14.3, §17) at the URI of each `ShardSubmitted` event, each file's sha256 and the
 * recomputed root checked against the root committed on-chain. One shard's failure (not submitted,
 * unreachable agent, mismatch) is returned in its entry, not thrown. Node only (writes files).
 */
export async function downloadResults(
  client: Client,
  { market, jobId, account, outDir, staking, fromBlock = 0n, timeoutMs, onProgress }: DownloadResultsParameters,
): Promise<DownloadResultsReturnType> {
  const job = await readJob(client, { market, jobId });
  const logs = await getContractEvents(client, {
    address: market,
    abi: jobMarketAbi,
    eventName: "ShardSubmitted",
    args: { jobId },
    fromBlock,
  });
  const submitted = new Map(logs.map(({ args }) => [args.shard!, args]));
  const endpointOf = staking ? operatorEndpoints(client, staking) : undefined;
  const dir = path.resolve(outDir, `job-${jobId}`);
  const shards: ShardDownload[] = [];
  for (let shard = 0; shard < job.shards; shard++) {
    const stored = await readShard(client, { market, jobId, shard });
    const state = shardStateName(stored.state);
    const event = submitted.get(shard);
    let resultURI = event?.resultURI;
    if (event && isClaimedSubmission(resultURI)) {
      resultURI = endpointOf
        ? await resultURIOf({ resultURI: "", operator: event.operator! }, jobId, shard, endpointOf).catch(
            () => undefined,
          )
        : undefined;
    }
    const root = committedRoot(stored.resultRoot, event?.resultRoot);
    if (stored.state !== ShardState.Submitted && stored.state !== ShardState.Settled) {
      shards.push({
        shard,
        state,
        ok: false,
        error: { code: "RESULTS_NONE", message: `no results: shard is ${state}` },
      });
      continue;
    }
    if (resultURI === undefined) {
      const message = `no ShardSubmitted event for shard ${shard} since block ${fromBlock}`;
      shards.push({ shard, state, ok: false, error: { code: "RESULTS_NO_URI", message } });
      continue;
    }
    const shardDir = path.join(dir, `shard-${shard}`);
    try {
      const got = await downloadShardResults(resultURI, account, shardDir, {
        expectedRoot: root,
        timeoutMs,
        onProgress: (event) => onProgress?.(shard, event),
      });
      shards.push({ shard, state, ok: true, root, resultURI, dir: shardDir, files: got.files });
    } catch (err) {
      const error =
        err instanceof RigelError
          ? { code: err.code, message: err.chain().join(": ") }
          : { code: "RESULTS_ERROR", message: (err as Error)?.message ?? String(err) };
      shards.push({ shard, state, ok: false, error });
    }
  }
  return { jobId, dir, ok: shards.every((s) => s.ok), shards };
}
