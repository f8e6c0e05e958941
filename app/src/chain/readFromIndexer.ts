import { readAssignmentsReopenAt } from "../../../sdk/market/readAssignmentsReopenAt";
import { getAddress, type Address, type Hex, type PublicClient } from "viem";
import { committedRoot, isClaimedSubmission, operatorEndpoints, resultURIOf } from "../../../sdk/market/claimedShards";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import { readJobStatus } from "../../../sdk/market/readJobStatus";
import type { HistoryEntry } from "./readHistory";
import type { JobRow, ShardRow } from "./readJobs";
import type { OperatorShard } from "./readShardHistory";

// The indexer's answers (PROTOCOL §21.3) in the same shapes as the chain-log readers (readHistory,
// readShardHistory, readJobs): amounts arrive as decimal strings, addresses lower-case.

type Row = Record<string, string | number | boolean | null>;

async function getJson<T>(indexerUrl: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${indexerUrl}${path}`, { cache: "no-store" });
  } catch (err) {
    throw new Error(
      `the indexer at ${indexerUrl} does not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!res.ok) throw new Error(`the indexer answered ${path} with HTTP ${res.status}`);
  return (await res.json()) as T;
}

const big = (v: unknown): bigint => BigInt(String(v ?? 0));
const addr = (v: unknown): Address => getAddress(String(v));

const DELEGATION_KINDS: Record<string, HistoryEntry["kind"]> = {
  delegated: "delegated",
  undelegated: "undelegated",
  claimed: "delegator claimed",
  withdrawn: "withdrawn",
};

/** {@link readHistory}'s answer from the indexer's `/v1/history`. */
export async function readHistoryFromIndexer(
  indexerUrl: string,
  account?: Address,
  limit = 50,
): Promise<HistoryEntry[]> {
  const query = new URLSearchParams({ limit: String(limit), ...(account ? { account } : {}) });
  const body = await getJson<{ settled: Row[]; claims: Row[]; delegations: Row[] }>(indexerUrl, `/v1/history?${query}`);
  const entries: HistoryEntry[] = [
    ...body.settled.map((r) => ({
      blockNumber: big(r.settledBlock),
      logIndex: Number(r.settledLogIndex),
      kind: "epoch settled" as const,
      operator: addr(r.operator),
      amount: big(r.reward),
      epoch: big(r.epoch),
    })),
    ...body.claims.map((r) => ({
      blockNumber: big(r.blockNumber),
      logIndex: Number(r.logIndex),
      kind: "operator claimed" as const,
      operator: addr(r.operator),
      account: addr(r.to),
      amount: big(r.amount),
    })),
    ...body.delegations.map((r) => ({
      blockNumber: big(r.blockNumber),
      logIndex: Number(r.logIndex),
      kind: DELEGATION_KINDS[String(r.kind)],
      operator: addr(r.operator),
      account: addr(r.delegator),
      amount: big(r.amount),
    })),
  ];
  entries.sort((a, b) =>
    a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : a.blockNumber > b.blockNumber ? -1 : 1,
  );
  return entries.slice(0, limit);
}

const CLOSED_OUTCOMES: Record<string, OperatorShard["outcome"]> = {
  settled: "settled",
  "developer fault": "developer fault",
  failed: "failed",
  expired: "expired",
};

/** {@link readShardHistory}'s answer from the indexer's `/v1/operators/:address/shards`. */
export async function readShardHistoryFromIndexer(
  indexerUrl: string,
  operator: Address,
  limit = 30,
): Promise<OperatorShard[]> {
  const body = await getJson<{ shards: Row[] }>(indexerUrl, `/v1/operators/${operator}/shards?limit=${limit}`);
  return body.shards.map((r) => {
    const outcome = CLOSED_OUTCOMES[String(r.state)] ?? "accepted";
    return {
      jobId: big(r.jobId),
      shard: Number(r.shard),
      blockNumber: big(r.acceptedBlock),
      outcome,
      collateral: big(r.collateral),
      earned: outcome === "settled" || outcome === "developer fault" ? big(r.paid) : 0n,
      slashed: outcome === "failed" || outcome === "expired" ? big(r.slashed) : 0n,
    };
  });
}

/**
 * {@link readJobs}'s answer: the developer's jobs, result URIs and credited amounts from the
 * indexer's `/v1/developers/:address/jobs`, each job's live status from the chain (`readJobStatus`:
 * contract reads, no log scan).
 */
export async function readJobsFromIndexer(
  indexerUrl: string,
  client: PublicClient,
  deployment: Deployment,
  developer: Address,
  limit = 20,
): Promise<JobRow[]> {
  const body = await getJson<{ jobs: (Row & { shards: Row[] })[] }>(
    indexerUrl,
    `/v1/developers/${developer}/jobs?limit=${limit}`,
  );
  const market = deployment.contracts.JobMarket;
  const endpointOf = operatorEndpoints(client, deployment.contracts.OperatorStaking);
  return Promise.all(
    body.jobs.map(async (j) => {
      const [status, reopensAt] = await Promise.all([
        readJobStatus(client, { market, jobId: big(j.jobId) }),
        readAssignmentsReopenAt(client, { market, jobId: big(j.jobId) }),
      ]);
      const indexed = new Map(j.shards.map((s) => [Number(s.shard), s]));
      const rows: ShardRow[] = status.shards.map((s, i) => {
        const row: ShardRow = { ...s };
        delete row.resultURI;
        const x = indexed.get(i);
        if (!x) return row;
        if (typeof x.resultURI === "string") row.resultURI = x.resultURI;
        if (typeof x.resultRoot === "string") row.resultRoot = committedRoot(row.resultRoot, x.resultRoot as Hex);
        if (x.state === "settled" || x.state === "developer fault") {
          Object.assign(row, { paid: big(x.paid), fee: big(x.fee), refund: big(x.refund) });
        } else if (x.state === "failed" || x.state === "cancelled" || x.state === "expired") {
          row.refund = big(x.refund);
        }
        return row;
      });
      // A claim (PROTOCOL §20.10) has no result URI: its operator's endpoint serves its results.
      for (const row of rows) {
        if (!isClaimedSubmission(row.resultURI)) continue;
        row.resultURI = await resultURIOf(
          { resultURI: "", operator: row.operator },
          big(j.jobId),
          row.shard,
          endpointOf,
        ).catch(() => undefined);
      }
      return { ...status, shards: rows, specURI: String(j.specURI ?? ""), createdAt: big(j.createdAt), reopensAt };
    }),
  );
}
