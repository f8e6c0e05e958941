// A job as `rigel job status` and `list` show it: the chain's status (sdk readJobStatus), what each
// final shard credited (outcome events), and what the market owes the developer in the job's token.
import { readOwed } from "../sdk/market/readOwed";
import type { JobStatus } from "../sdk/market/readJobStatus";
import { jobStatus } from "./commandHelpers";
import type { Connection } from "./connect";
import { readShardCredits, type ShardCredit } from "./readShardCredits";
import { readShardCreditsFromIndexer } from "./readShardCreditsFromIndexer";
import { readTokenInfo, type TokenInfo } from "./tokenAmount";

export interface JobAccount {
  status: JobStatus;
  token: TokenInfo;
  /** By shard index; only final shards have one. */
  credits: Map<number, ShardCredit>;
  /** Σ refunds credited to the developer by this job's shards. */
  refunded: bigint;
  /** Σ payouts credited to operators (net of fees) by this job's shards. */
  paid: bigint;
  /** `owedOf(paymentToken, developer)`: everything the market owes the developer in this token, all jobs. */
  developerOwed: bigint;
}

/**
 * Reads a job's status, credits and the developer's credit (an unknown job is `RIGEL_JOB_UNKNOWN`);
 * the credits from the indexer at `indexerUrl` when given (PROTOCOL §21.4), else from chain logs.
 */
export async function jobAccount(conn: Connection, jobId: bigint, indexerUrl?: string): Promise<JobAccount> {
  const status = await jobStatus(conn, jobId);
  const [token, credits, developerOwed] = await Promise.all([
    readTokenInfo(conn.publicClient, status.paymentToken),
    indexerUrl ? readShardCreditsFromIndexer(indexerUrl, jobId) : readShardCredits(conn, jobId),
    readOwed(conn.publicClient, {
      market: conn.deployment.contracts.JobMarket,
      token: status.paymentToken,
      account: status.developer,
      blockNumber: status.blockNumber,
    }),
  ]);
  const sum = (f: (c: ShardCredit) => bigint) => [...credits.values()].reduce((s, c) => s + f(c), 0n);
  return { status, token, credits, refunded: sum((c) => c.refund), paid: sum((c) => c.paid), developerOwed };
}
