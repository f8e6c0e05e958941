import type { Address } from "viem";
import { specWithPlan } from "../../../sdk/planner/plannerJobForSpec";
import type { Plan } from "../../../sdk/planner/types";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import type { BuiltJob } from "./buildJob";
import { specDataUri } from "./specDataUri";

/** A built job with the planner's choice written in: what `createJob` sends. */
export interface PlannedJob extends BuiltJob {
  /** The operator assigned to each shard (JobParams.shardOperators); empty: any eligible operator. */
  shardOperators: Address[];
}

/**
 * The job as `rigel job submit --plan` creates it (scripts/job/cli.ts): the spec with the plan's
 * uneven `split` (sdk `specWithPlan`, so a new spec hash and data: URI), one shard per planned
 * operator assigned to it, `maxUnitsPerShard` = the largest planned shard's units, and the escrow
 * `shards × maxUnitsPerShard × maxPricePerUnit` (the unused part is refunded at settlement).
 */
export function plannedJob(job: BuiltJob, plan: Pick<Plan, "split" | "shards" | "maxUnitsPerShard">): PlannedJob {
  const spec = parseJobSpec(specWithPlan(job.spec, plan));
  const shards = plan.shards.length;
  return {
    ...job,
    spec,
    specHash: hashJobSpec(spec).hash,
    specURI: specDataUri(spec),
    shards,
    unitsPerShard: plan.maxUnitsPerShard,
    escrow: BigInt(shards) * plan.maxUnitsPerShard * job.maxPricePerUnit,
    shardOperators: plan.shards.map((s) => s.operator as Address),
  };
}
