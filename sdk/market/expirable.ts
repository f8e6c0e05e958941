import { ShardState } from "./enums";
import type { JobStatus, ShardStatus } from "./readJobStatus";

/** Parameters of {@link expirable}. */
export interface ExpirableParameters {
  /** The job's deadline and the gang state (absent for a plain job). */
  job: Pick<JobStatus, "deadline" | "gang">;
  /** The shard's state, submission time and the verify window it was accepted under (its snapshot). */
  shard: Pick<ShardStatus, "state" | "submittedAt" | "verifyWindow">;
  /**
   * The chain time `expire` would run at. Pass the latest block's timestamp: the next block's is
   * later, so a shard expirable now stays so.
   */
  now: bigint;
}

/**
 * Whether `JobMarket.expire(jobId, shard)` succeeds at chain time `now`: exactly the contract's rule
 * (docs/PROTOCOL.md §9.2, §9.7). An Accepted shard once `now > deadline`, unless its job is a gang
 * that has not started (the contract refuses `MarketGangNotStarted`: `releaseGang` instead); a
 * Submitted shard once `now > submittedAt + verifyWindow`, with the window snapshotted into the shard
 * at accept (PROTOCOL §20.2; not the market's current one); never a shard in another state.
 */
export function expirable({ job, shard, now }: ExpirableParameters): boolean {
  if (shard.state === ShardState.Accepted) {
    const gangNotStarted = job.gang !== undefined && job.gang.acceptDeadline !== 0n && job.gang.startedAt === 0n;
    return now > job.deadline && !gangNotStarted;
  }
  if (shard.state === ShardState.Submitted) return now > shard.submittedAt + BigInt(shard.verifyWindow);
  return false;
}
