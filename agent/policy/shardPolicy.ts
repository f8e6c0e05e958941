import { getAddress, zeroAddress, type Address } from "viem";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";

/** What the operator configured: which shards are worth taking. */
export interface ShardPolicy {
  /** Job kinds taken (`matmul-int8`, `container`). */
  kinds: readonly JobSpec["kind"][];
  /** Smallest `maxPricePerUnit` taken, in the payment token's base units. */
  minPricePerUnit: bigint;
  /** Accepted payment tokens; empty: any allowlisted token. */
  paymentTokens: readonly Address[];
  /** Concurrent shards in total (GPUs × maxShardsPerGpu, or cpuSlots without a GPU). */
  maxConcurrentShards: number;
}

/** The facts a decision reads: the job on-chain, the shard's assignment, this host and the operator's stake. */
export interface ShardOffer {
  operator: Address;
  kind: JobSpec["kind"];
  job: {
    paymentToken: Address;
    maxPricePerUnit: bigint;
    minVramMiB: number;
    minOpsPerSec: bigint;
    deadline: bigint;
    shards: number;
  };
  /** The shard's assigned operator (zero: anyone). */
  assigned: Address;
  /** The operator's attested capacity on-chain. */
  capacity: { opsPerSec: bigint; vramMiB: number; validUntil: bigint };
  /** The largest VRAM of one local GPU (MiB); 0 without a GPU. */
  localVramMiB: number;
  /** Free self-stake and the collateral this shard would lock. */
  freeStake: bigint;
  collateral: bigint;
  jailedUntil: bigint;
  /** Shards in flight now. */
  running: number;
  now: bigint;
  /** Seconds of work the agent needs before the deadline, at least. */
  submitMarginSec: bigint;
  /**
   * A gang job's accept deadline (§9.7; absent or 0 for a plain job). The gang may start as late as
   * just before it, and the shard's work only starts then, so the margin is counted from it.
   */
  gangAcceptDeadline?: bigint;
}

export type ShardDecision = { take: true } | { take: false; reason: string };

/**
 * Whether to accept a shard. Pure: every fact comes in `offer`, so the daemon, tests and
 * `rigel agent status` explain a decision the same way. Checks, in order: assignment (an assigned
 * shard is only ever for its operator), kind, payment token, price, time left (for a gang, counted
 * from its accept deadline, the latest possible start), concurrency, jail,
 * attested capacity (the market's own check), local VRAM fit, stake for the collateral.
 */
export function decideShard(policy: ShardPolicy, offer: ShardOffer): ShardDecision {
  const { job } = offer;
  if (offer.assigned !== zeroAddress && getAddress(offer.assigned) !== getAddress(offer.operator)) {
    return { take: false, reason: `assigned to ${offer.assigned}` };
  }
  if (!policy.kinds.includes(offer.kind)) return { take: false, reason: `kind ${offer.kind} is not taken` };
  if (
    policy.paymentTokens.length > 0 &&
    !policy.paymentTokens.some((t) => getAddress(t) === getAddress(job.paymentToken))
  ) {
    return { take: false, reason: `payment token ${job.paymentToken} is not accepted` };
  }
  if (job.maxPricePerUnit < policy.minPricePerUnit) {
    return { take: false, reason: `price ${job.maxPricePerUnit} below the minimum ${policy.minPricePerUnit}` };
  }
  if (offer.now + offer.submitMarginSec >= job.deadline) return { take: false, reason: "too close to the deadline" };
  const gangDeadline = offer.gangAcceptDeadline ?? 0n;
  if (gangDeadline > 0n) {
    if (offer.now >= gangDeadline) return { take: false, reason: "the gang's accept deadline has passed" };
    if (gangDeadline + offer.submitMarginSec >= job.deadline) {
      return { take: false, reason: "a gang starting at its accept deadline would leave too little time" };
    }
  }
  if (offer.running >= policy.maxConcurrentShards) {
    return { take: false, reason: `already running ${offer.running} of ${policy.maxConcurrentShards} shards` };
  }
  if (offer.jailedUntil > offer.now) return { take: false, reason: `jailed until ${offer.jailedUntil}` };
  if (offer.capacity.validUntil < offer.now) return { take: false, reason: "no valid capacity attestation" };
  if (offer.capacity.vramMiB < job.minVramMiB || offer.capacity.opsPerSec < job.minOpsPerSec) {
    return { take: false, reason: "attested capacity below the job's minimum" };
  }
  if (offer.kind === "container" && job.minVramMiB > 0 && offer.localVramMiB < job.minVramMiB) {
    return { take: false, reason: `needs ${job.minVramMiB} MiB of VRAM, this host has ${offer.localVramMiB}` };
  }
  if (offer.freeStake < offer.collateral) {
    return { take: false, reason: `free stake ${offer.freeStake} below the collateral ${offer.collateral}` };
  }
  return { take: true };
}
