import type { JobSpec } from "../spec/jobSpecTypes";
import { llmItemMaxUnits, llmRangeMaxUnits, MULTIPLY_ADDS_PER_UNIT, splitRange } from "../spec/shardWork";
import { PlannerInputError } from "./errors";
import type { Plan, PlannerJob } from "./types";

/** Parameters of {@link plannerJobForSpec}: the spec plus what the spec does not say. */
export type PlannerJobForSpecParameters = Omit<PlannerJob, "totalWork" | "opsPerItem" | "metering"> & {
  spec: JobSpec;
  /** Container jobs: seconds one item takes on a GPU of `referenceOpsPerSec` attested ops/s. */
  itemSeconds?: number;
  /** Container jobs: the attested ops/s of the GPU `itemSeconds` was measured on. */
  referenceOpsPerSec?: number;
  /**
   * llm-inference jobs: operations one token costs, in the attested ops/s's unit (default
   * {@link DEFAULT_LLM_OPS_PER_TOKEN}, ≈ 2 × the parameters of a GPT-2-small-sized model).
   */
  opsPerToken?: number;
};

/** The default cost of one token for the planner: 2.5 × 10^8 operations (2 × ~124 M parameters). */
export const DEFAULT_LLM_OPS_PER_TOKEN = 2.5e8;

/**
 * The planner's view of a job spec: matmul-int8 splits `rowEnd − rowStart` rows of `2·n·k`
 * operations each, metered in 10^9 multiply-adds; an itemised container job splits its items,
 * each `itemSeconds × referenceOpsPerSec` operations, metered in GPU-seconds; an llm-inference job
 * splits its prompts, each weighted as the job's heaviest item, `max_i (UTF-8 bytes of prompt i +
 * maxNewTokens)` tokens (the planner's items are uniform: so every shard's units bound is at least its
 * real Σ bound of PROTOCOL §19.1, and `maxUnitsPerShard` never pays less than the work), metered in
 * tokens.
 */
export function plannerJobForSpec({
  spec,
  itemSeconds,
  referenceOpsPerSec,
  opsPerToken,
  ...rest
}: PlannerJobForSpecParameters): PlannerJob {
  // The spec's GPU models are a hard filter of the planner (PROTOCOL §15.1); the caller's list wins.
  const gpuModels = rest.gpuModels ?? spec.requirements?.gpuModels;
  if (gpuModels !== undefined) rest.gpuModels = gpuModels;
  if (spec.kind === "matmul-int8") {
    return {
      ...rest,
      totalWork: spec.rowEnd - spec.rowStart,
      opsPerItem: 2 * spec.n * spec.k,
      metering: { kind: "work", workPerItem: BigInt(spec.n) * BigInt(spec.k), workPerUnit: MULTIPLY_ADDS_PER_UNIT },
    };
  }
  if (spec.kind === "llm-inference") {
    let heaviest = 0n;
    for (const prompt of spec.items) {
      const tokens = llmItemMaxUnits(prompt, spec.maxNewTokens);
      if (tokens > heaviest) heaviest = tokens;
    }
    return {
      ...rest,
      totalWork: spec.items.length,
      opsPerItem: Number(heaviest) * (opsPerToken ?? DEFAULT_LLM_OPS_PER_TOKEN),
      metering: { kind: "work", workPerItem: heaviest, workPerUnit: 1n },
    };
  }
  if (spec.items === undefined) {
    throw new PlannerInputError("a container job without items is one run: there is nothing to split", {});
  }
  if (!(itemSeconds !== undefined && itemSeconds > 0 && referenceOpsPerSec !== undefined && referenceOpsPerSec > 0)) {
    throw new PlannerInputError("a container job needs itemSeconds and referenceOpsPerSec to be planned", {
      itemSeconds,
      referenceOpsPerSec,
    });
  }
  return {
    ...rest,
    totalWork: spec.items.length,
    opsPerItem: itemSeconds * referenceOpsPerSec,
    metering: { kind: "time" },
  };
}

/**
 * An llm-inference plan's `maxUnitsPerShard` made exact: the largest Σ token bound (prompt UTF-8
 * bytes + maxNewTokens, PROTOCOL §19.1) over each planned shard's items, so no shard can be owed
 * more than its escrow and none escrows for the heaviest prompt repeated (the planner weighs every
 * item as the heaviest). Other kinds: the plan's own.
 */
export function planMaxUnitsForSpec(spec: JobSpec, plan: Pick<Plan, "split" | "maxUnitsPerShard">): bigint {
  if (spec.kind !== "llm-inference") return plan.maxUnitsPerShard;
  let max = 0n;
  for (let s = 0; s < plan.split.length; s++) {
    const units = llmRangeMaxUnits(spec, splitRange(spec.items.length, plan.split, plan.split.length, s));
    if (units > max) max = units;
  }
  return max;
}

/** The spec with the plan's uneven split written in (a new spec hash), or unchanged for one shard. */
export function specWithPlan<S extends JobSpec>(spec: S, plan: Pick<Plan, "split">): S {
  const { split: _old, ...rest } = spec;
  void _old;
  return (plan.split.length > 1 ? { ...rest, split: [...plan.split] } : rest) as S;
}
