import type { Address } from "viem";
import { isFinalShardState, ShardState, type ShardStateName } from "./enums";
import { expirable } from "./expirable";
import type { JobStatus, ShardStatus } from "./readJobStatus";

/** One transaction that recovers escrow; `refund` is what the market pays the developer for it (V per shard). */
export type RefundAction =
  /** `releaseGang(jobId)`: an unstarted gang past its accept deadline; every Open and Accepted shard (anyone). */
  | { kind: "releaseGang"; shards: number[]; refund: bigint }
  /** `cancel(jobId)`: every Open shard (the developer only). */
  | { kind: "cancel"; shards: number[]; refund: bigint }
  /** `expire(jobId, shard)`: Accepted past the deadline (no-show) or Submitted past the verify window (anyone). */
  | { kind: "expire"; shards: [number]; noShow: boolean; refund: bigint };

/** A shard whose escrow cannot be recovered now. */
export interface LockedShard {
  shard: number;
  state: ShardStateName;
  operator: Address;
  /** Its escrow, V = maxUnitsPerShard × maxPricePerUnit. */
  amount: bigint;
  /** A stable code: `awaiting-submission`, `awaiting-verdict`, `gang-not-started`, `open-not-developer`. */
  code: "awaiting-submission" | "awaiting-verdict" | "gang-not-started" | "open-not-developer";
  reason: string;
  /** Unix time it stays locked until (recoverable from the first block after it), if any. */
  until?: bigint;
}

/** What {@link planRefund} reads of each shard. */
type RefundShard = Pick<ShardStatus, "shard" | "state" | "stateName" | "operator" | "submittedAt" | "verifyWindow">;

/** Parameters of {@link planRefund}. */
export interface PlanRefundParameters {
  status: Pick<JobStatus, "developer" | "deadline" | "shardValue" | "gang"> & {
    shards: readonly RefundShard[];
  };
  /** Chain time: the latest block's timestamp (`status.timestamp` when it was just read). */
  now: bigint;
  /** Who would send the transactions: only the developer may cancel. */
  caller: Address;
}

export interface PlanRefundReturnType {
  actions: RefundAction[];
  locked: LockedShard[];
}

/**
 * What can be recovered of a job's escrow at chain time `now` by `caller`, and why the rest stays
 * locked (docs/PROTOCOL.md §9.2, §9.7, §15.5): a pure function of the job's on-chain status. Every
 * non-final shard is either in one action or in `locked`, never both; an expire is planned exactly
 * when {@link expirable} says the contract accepts it.
 */
export function planRefund({ status, now, caller }: PlanRefundParameters): PlanRefundReturnType {
  const isDeveloper = caller.toLowerCase() === status.developer.toLowerCase();
  const gang = status.gang;
  const unstartedGang = gang !== undefined && gang.startedAt === 0n && !gang.released;
  const live = status.shards.filter((s) => !isFinalShardState(s.state));
  const value = status.shardValue;
  const actions: RefundAction[] = [];
  const locked: LockedShard[] = [];
  const lock = (s: RefundShard, code: LockedShard["code"], reason: string, until?: bigint) =>
    locked.push({ shard: s.shard, state: s.stateName, operator: s.operator, amount: value, code, reason, until });

  if (unstartedGang && now >= gang.acceptDeadline) {
    // Releasing covers every Open and Accepted shard; an unstarted gang has no other live shard.
    const shards = live.filter((s) => s.state === ShardState.Open || s.state === ShardState.Accepted);
    if (shards.length > 0) {
      actions.push({ kind: "releaseGang", shards: shards.map((s) => s.shard), refund: value * BigInt(shards.length) });
    }
    return { actions, locked };
  }

  const open = live.filter((s) => s.state === ShardState.Open);
  if (open.length > 0) {
    if (isDeveloper) {
      actions.push({ kind: "cancel", shards: open.map((s) => s.shard), refund: value * BigInt(open.length) });
    } else {
      for (const s of open)
        lock(
          s,
          "open-not-developer",
          `Open: only the job's developer ${status.developer} may cancel it`,
          unstartedGang ? gang.acceptDeadline : undefined,
        );
    }
  }
  for (const s of live) {
    if (s.state === ShardState.Open) continue;
    if (expirable({ job: status, shard: s, now })) {
      actions.push({ kind: "expire", shards: [s.shard], noShow: s.state === ShardState.Accepted, refund: value });
    } else if (s.state === ShardState.Accepted && unstartedGang) {
      lock(
        s,
        "gang-not-started",
        `Accepted by ${s.operator}; the gang has not started: released if it has not started by its accept deadline`,
        gang.acceptDeadline,
      );
    } else if (s.state === ShardState.Accepted) {
      lock(
        s,
        "awaiting-submission",
        `Accepted by ${s.operator}: it may submit until the job's deadline, expires as a no-show after it`,
        status.deadline,
      );
    } else {
      lock(
        s,
        "awaiting-verdict",
        `Submitted by ${s.operator}: awaiting the committee's verdict (settle pays for the units used and refunds the rest); expires unanswered after the verify window`,
        s.submittedAt + BigInt(s.verifyWindow),
      );
    }
  }
  return { actions, locked: locked.sort((a, b) => a.shard - b.shard) };
}
