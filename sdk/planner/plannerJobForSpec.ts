import type { JobSpec } from "../spec/jobSpecTypes";
import { llmRangeMaxUnits, MULTIPLY_ADDS_PER_UNIT, splitRange } from "../spec/shardWork";
import { PlannerInputError } from "./errors";
import type { Plan, PlannerJob } from "./types";

/** Parameters of {@link plannerJobForSpec}: the spec plus what the spec does not say. */
export type PlannerJobForSpecParameters = Omit<PlannerJob, "totalWork" | "opsPerItem" | "metering"> & {
  spec: JobSpec;
  /** Container jobs: seconds one item takes on a GPU of `referenceOpsPerSec` attested ops/s. */
  itemSeconds?: number;
  /** Container jobs: the attested ops/s of the GPU `itemSeconds` was measured on. */
  referenceOpsPerSec?: number;
};

/**
 * The planner's view of a job spec: matmul-int8 splits `rowEnd − rowStart` rows of `2·n·k`
 * operations each, metered in 10^9 multiply-adds; an itemised container job splits its items,
 * each `itemSeconds × referenceOpsPerSec` operations, metered in GPU-seconds.
 */
export function plannerJobForSpec({
  spec,
  itemSeconds,
  referenceOpsPerSec,
  ...rest
}: PlannerJobForSpecParameters): PlannerJob {
  if (spec.kind === "matmul-int8") {
    return {
      ...rest,
      totalWork: spec.rowEnd - spec.rowStart,
      opsPerItem: 2 * spec.n * spec.k,
      metering: { kind: "work", workPerItem: BigInt(spec.n) * BigInt(spec.k), workPerUnit: MULTIPLY_ADDS_PER_UNIT },
    };
  }
  if (spec.kind === "llm-inference") {
    // Metered in tokens (PROTOCOL §19.1): each item weighs the mean of its token bound (prompt bytes
    // + maxNewTokens), rounded up; the planned split's exact bound is `llmPlanMaxUnits`.
    const items = spec.items.length;
    const bound = llmRangeMaxUnits(spec, { start: 0, end: items });
    if (!(itemSeconds !== undefined && itemSeconds > 0 && referenceOpsPerSec !== undefined && referenceOpsPerSec > 0)) {
      throw new PlannerInputError("an llm-inference job needs itemSeconds and referenceOpsPerSec to be planned", {
        itemSeconds,
        referenceOpsPerSec,
      });
    }
    return {
      ...rest,
      totalWork: items,
      opsPerItem: itemSeconds * referenceOpsPerSec,
      metering: { kind: "work", workPerItem: (bound + BigInt(items) - 1n) / BigInt(items), workPerUnit: 1n },
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
 * bytes + maxNewTokens) over each planned shard's items, so no shard can be owed more than its
 * escrow whatever the prompts' lengths (the planner weighs every item the same). Other kinds: the plan's own.
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
