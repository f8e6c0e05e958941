import { zeroAddress } from "viem";
import { ASSIGN_GRACE_FALLBACK_SEC } from "../../../sdk/market/readAssignmentsReopenAt";
import { formatAge, type Liveness } from "../../../sdk/liveness/liveness";
import { ShardState } from "../../../sdk/market/enums";
import type { JobRow, ShardRow } from "../chain/readJobs";
import { formatVram, shortAddress } from "./format";

/** What {@link shardWaitReason} reads besides the shard. */
export interface ShardWaitContext {
  /** Chain time, Unix seconds. */
  now: bigint;
  /** The browser's clock, Unix seconds (heartbeat ages are on it). */
  nowSec: number;
  /** An operator's liveness; undefined: liveness unknown. */
  liveness: (address: string) => Liveness | undefined;
  /** The registered operators' attested VRAM and capacity expiry; undefined while loading. */
  operators?: readonly { address: string; vramMiB: number; capacityValidUntil: bigint }[];
}

/** "17:35" (UTC): a time of day for a sentence. */
export function clockTime(unixSeconds: bigint | number): string {
  return new Date(Number(unixSeconds) * 1000).toISOString().slice(11, 16);
}

/**
 * When an assigned shard opens to any eligible operator (PROTOCOL §20.9): the market's
 * `assignmentsReopenAt`, or, on a market without it, creation + {@link ASSIGN_GRACE_FALLBACK_SEC}.
 */
export function reopensAtOf(job: Pick<JobRow, "createdAt" | "reopensAt">): bigint {
  return job.reopensAt !== undefined && job.reopensAt > 0n ? job.reopensAt : job.createdAt + ASSIGN_GRACE_FALLBACK_SEC;
}

/**
 * Why an Open shard is still waiting, in one sentence (PROTOCOL §16.6): its assigned operator,
 * whether the oracles hear from it and whether its heartbeat says it is already running the shard
 * (§20.7: an assigned shard runs before it is accepted), when it reopens to others; or, for a shard open to anyone,
 * whether any operator has the VRAM it needs. Undefined for a shard that is not Open.
 */
export function shardWaitReason(job: JobRow, shard: ShardRow, ctx: ShardWaitContext): string | undefined {
  if (shard.state !== ShardState.Open) return undefined;
  if (shard.assigned !== zeroAddress) {
    const who = shortAddress(shard.assigned);
    const reopensAt = reopensAtOf(job);
    const reopened = ctx.now >= reopensAt;
    const reopen = reopened
      ? `open to any eligible operator since ${clockTime(reopensAt)}`
      : `reopens to others at ${clockTime(reopensAt)}`;
    const live = ctx.liveness(shard.assigned);
    if (!live) return `waiting for ${who} to accept (liveness unknown) — ${reopen}`;
    const running = live.online
      ? live.shardsInFlight?.find((f) => f.jobId === job.jobId.toString() && f.shard === shard.shard)
      : undefined;
    if (running) {
      // An assigned shard runs before it is accepted (§20.7), then is claimed at the oracles and settled
      // from Open (§20.10), or accepted and submitted in one go when the committee does not take the claim.
      const next =
        running.phase === "claiming"
          ? "proving its claim to the oracles; settled from Open once they agree"
          : "claimed at the oracles or accepted and submitted when done";
      return `running on ${who} (${running.phase}); ${next} — ${reopen}`;
    }
    if (live.online) {
      const age = formatAge(ctx.nowSec - (live.lastSeen ?? ctx.nowSec));
      return reopened
        ? `waiting for ${who} or another eligible operator to accept (${who} online, last seen ${age} ago)`
        : `waiting for ${who} to accept (online, last seen ${age} ago)`;
    }
    const since =
      live.lastSeen !== undefined ? `offline since ${clockTime(live.lastSeen)}` : "never seen by the oracles";
    return `assigned operator ${who} ${since} — ${reopen}`;
  }
  if (!ctx.operators) return "waiting for an operator to accept";
  const valid = ctx.operators.filter((o) => o.capacityValidUntil > ctx.now);
  const fit = valid.filter((o) => o.vramMiB >= job.minVramMiB);
  if (fit.length === 0) {
    const largest = Math.max(0, ...valid.map((o) => o.vramMiB));
    return `no operator has the VRAM it needs (${formatVram(job.minVramMiB)}; the largest attested is ${formatVram(largest)})`;
  }
  const online = fit.filter((o) => ctx.liveness(o.address)?.online);
  if (ctx.liveness(fit[0]!.address) === undefined)
    return `waiting for one of ${fit.length} operators with the VRAM it needs to accept (liveness unknown)`;
  if (online.length === 0)
    return `no operator with the VRAM it needs is online (${fit.length} registered, all offline)`;
  return `waiting for one of ${online.length} online operator${online.length === 1 ? "" : "s"} to accept`;
}
