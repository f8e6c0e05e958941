// What `rigel job refund` can recover now, and why the rest stays locked (docs/PROTOCOL.md §9.2, §9.7):
// a pure function of the job's on-chain status, the chain's time and who calls.
import type { Address } from "viem";
import { FINAL, SHARD_STATE, type JobStatus } from "./jobStatus";

/** One transaction that recovers escrow. */
export type RefundAction =
  /** `releaseGang(jobId)`: an unstarted gang past its accept deadline; every Open and Accepted shard (anyone). */
  | { kind: "releaseGang"; shards: number[] }
  /** `cancel(jobId)`: every Open shard (the developer only). */
  | { kind: "cancel"; shards: number[] }
  /** `expire(jobId, shard)`: Accepted past the deadline (no-show) or Submitted past the verify window (anyone). */
  | { kind: "expire"; shards: [number]; noShow: boolean };

/** A shard whose escrow cannot be recovered now. */
export interface LockedShard {
  shard: number;
  state: string;
  operator: Address;
  /** Its escrow, V = maxUnitsPerShard × maxPricePerUnit. */
  amount: bigint;
  /** A stable code: `awaiting-submission`, `awaiting-verdict`, `gang-not-started`, `open-not-developer`. */
  code: string;
  reason: string;
  /** Unix time it stays locked until (recoverable by `refund` from the first block after it), if any. */
  until?: bigint;
}

export interface RefundPlan {
  actions: RefundAction[];
  locked: LockedShard[];
}

/**
 * Plans the refund of `status` at chain time `now` (the latest block's timestamp) for `caller`:
 * every non-final shard is either in one action or in `locked`, never both.
 */
export function planRefund(status: JobStatus, now: bigint, caller: Address): RefundPlan {
  const isDeveloper = caller.toLowerCase() === status.developer.toLowerCase();
  const gang = status.gang;
  const unstartedGang = gang !== undefined && gang.startedAt === 0n && !gang.released;
  const live = status.shards.filter((s) => !FINAL.has(s.state));
  const actions: RefundAction[] = [];
  const locked: LockedShard[] = [];
  const lock = (s: JobStatus["shards"][number], code: string, reason: string, until?: bigint) =>
    locked.push({
      shard: s.shard,
      state: s.stateName,
      operator: s.operator,
      amount: status.shardValue,
      code,
      reason,
      until,
    });

  if (unstartedGang && now >= gang.acceptDeadline) {
    // Releasing covers every Open and Accepted shard; an unstarted gang has no other live shard.
    const shards = live.filter((s) => s.state === SHARD_STATE.Open || s.state === SHARD_STATE.Accepted);
    if (shards.length > 0) actions.push({ kind: "releaseGang", shards: shards.map((s) => s.shard) });
    return { actions, locked };
  }

  const open = live.filter((s) => s.state === SHARD_STATE.Open);
  if (open.length > 0) {
    if (isDeveloper) actions.push({ kind: "cancel", shards: open.map((s) => s.shard) });
    else
      for (const s of open)
        lock(
          s,
          "open-not-developer",
          `Open: only the job's developer ${status.developer} may cancel it`,
          unstartedGang ? gang.acceptDeadline : undefined,
        );
  }
  for (const s of live) {
    if (s.state === SHARD_STATE.Accepted) {
      if (unstartedGang) {
        lock(
          s,
          "gang-not-started",
          `Accepted by ${s.operator}; the gang has not started: released if it has not started by its accept deadline`,
          gang.acceptDeadline,
        );
      } else if (now > status.deadline) {
        actions.push({ kind: "expire", shards: [s.shard], noShow: true });
      } else {
        lock(
          s,
          "awaiting-submission",
          `Accepted by ${s.operator}: it may submit until the job's deadline, expires as a no-show after it`,
          status.deadline,
        );
      }
    } else if (s.state === SHARD_STATE.Submitted) {
      const closesAt = s.submittedAt + status.verifyWindow;
      if (now > closesAt) actions.push({ kind: "expire", shards: [s.shard], noShow: false });
      else
        lock(
          s,
          "awaiting-verdict",
          `Submitted by ${s.operator}: awaiting the committee's verdict (settle pays for the units used and refunds the rest); expires unanswered after the verify window`,
          closesAt,
        );
    }
  }
  return { actions, locked: locked.sort((a, b) => a.shard - b.shard) };
}
