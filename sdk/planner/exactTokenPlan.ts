import type { Plan } from "./types";
import type { JobSpec } from "../spec/jobSpecTypes";
import { llmRangeMaxUnits } from "../spec/shardWork";

/**
 * An llm-inference plan as the page shows it (PROTOCOL §16.5): the planner weighs every prompt as
 * the heaviest one, so each shard's tokens, cost, the largest shard and the escrow are replaced by
 * the exact token bounds of the shard's own prompts (UTF-8 bytes + maxNewTokens each), at the
 * operator's price for the costs and the max price per token for the escrow — the numbers
 * `plannedJob` creates the job with. Other kinds: unchanged.
 */
export function exactTokenPlan(spec: JobSpec, plan: Plan, pricePerToken: bigint): Plan {
  if (spec.kind !== "llm-inference") return plan;
  const shards = plan.shards.map((s) => {
    const units = llmRangeMaxUnits(spec, { start: s.start, end: s.end });
    // The planner's cost is units × the operator's own price (≤ the max): keep that price.
    return { ...s, units, cost: s.units > 0n ? (s.cost * units) / s.units : 0n };
  });
  const maxUnitsPerShard = shards.reduce((m, s) => (s.units > m ? s.units : m), 0n);
  return {
    ...plan,
    shards,
    maxUnitsPerShard,
    cost: shards.reduce((sum, s) => sum + s.cost, 0n),
    escrow: BigInt(shards.length) * maxUnitsPerShard * pricePerToken,
  };
}
