import type { Address } from "viem";
import type { OperatorRow } from "../chain/readOperators";

/** What the developer asks of a job, as far as choosing operators goes. */
export interface JobRequirements {
  shards: number;
  /** Units per shard (10^9 multiply-adds for matmul; GPU-seconds for containers). */
  unitsPerShard: bigint;
  /** The job's maximum price per unit (token base units). */
  maxPricePerUnit: bigint;
  minVramMiB: number;
  minOpsPerSec: bigint;
  /** RGL collateral each accepted shard locks. */
  collateralPerShard: bigint;
  /** Multiply-adds of the largest shard, for the time estimate (undefined for container jobs). */
  multiplyAddsPerShard?: bigint;
}

/** One suggested operator, with the price it asks (from its metadata URI, if it says). */
export interface SuggestedOperator {
  address: Address;
  askPricePerUnit?: bigint;
  opsPerSec: bigint;
  /** The shards this operator would take. */
  shards: number[];
}

/** The suggestion: operators, the cost at most and the time estimate. */
export interface OperatorSuggestion {
  operators: SuggestedOperator[];
  /** Operators registered but not eligible, with the reason. */
  ineligible: { address: Address; reason: string }[];
  /** The most the job can cost: shards × units × max price (the escrow). */
  maxCost: bigint;
  /** Seconds until every shard is computed, when throughput is known (matmul); undefined otherwise. */
  estimatedSeconds?: number;
}

/** The asking price an operator advertises as `price=<base units per unit>` in its metadata URI. */
export function askPrice(metadataURI: string): bigint | undefined {
  const match = /[?&#;]price=(\d{1,40})(?:&|$)/.exec(metadataURI);
  return match ? BigInt(match[1]) : undefined;
}

/**
 * The stand-in for the sdk planner (#10): the operators eligible for the job (registered, not
 * jailed, capacity valid with enough VRAM and ops/s, free stake for the collateral, asking no more
 * than the job's price), sorted by asking price then attested speed; shards go round-robin to them.
 * The planner replaces this function; its callers keep the same shape.
 */
export function suggestOperators(
  requirements: JobRequirements,
  operators: readonly OperatorRow[],
  nowSeconds: bigint,
): OperatorSuggestion {
  const ineligible: OperatorSuggestion["ineligible"] = [];
  const eligible: SuggestedOperator[] = [];
  for (const op of operators) {
    const ask = askPrice(op.metadataURI);
    const free = op.selfStake - op.lockedStake;
    let reason: string | undefined;
    if (op.jailedUntil > nowSeconds) reason = "jailed";
    else if (op.capacityValidUntil < nowSeconds) reason = "no valid capacity record";
    else if (op.vramMiB < requirements.minVramMiB) reason = "too little VRAM";
    else if (op.opsPerSec < requirements.minOpsPerSec) reason = "too slow";
    else if (free < requirements.collateralPerShard) reason = "not enough free stake for the collateral";
    else if (ask !== undefined && ask > requirements.maxPricePerUnit) reason = "asks more than the job pays";
    if (reason) ineligible.push({ address: op.address, reason });
    else eligible.push({ address: op.address, askPricePerUnit: ask, opsPerSec: op.opsPerSec, shards: [] });
  }
  eligible.sort((a, b) => {
    const pa = a.askPricePerUnit ?? requirements.maxPricePerUnit;
    const pb = b.askPricePerUnit ?? requirements.maxPricePerUnit;
    if (pa !== pb) return pa < pb ? -1 : 1;
    return a.opsPerSec === b.opsPerSec ? 0 : a.opsPerSec > b.opsPerSec ? -1 : 1;
  });
  const chosen = eligible.slice(0, requirements.shards);
  for (let s = 0; s < requirements.shards && chosen.length > 0; s++) chosen[s % chosen.length].shards.push(s);
  let estimatedSeconds: number | undefined;
  if (requirements.multiplyAddsPerShard !== undefined && chosen.length > 0) {
    // Two operations (multiply, add) per multiply-add; the slowest operator's queue of shards decides.
    estimatedSeconds = Math.max(
      ...chosen.map((op) =>
        op.opsPerSec > 0n
          ? (Number(requirements.multiplyAddsPerShard) * 2 * op.shards.length) / Number(op.opsPerSec)
          : Infinity,
      ),
    );
  }
  const maxCost = BigInt(requirements.shards) * requirements.unitsPerShard * requirements.maxPricePerUnit;
  return { operators: chosen, ineligible, maxCost, estimatedSeconds };
}
