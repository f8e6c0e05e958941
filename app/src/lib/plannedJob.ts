import type { Address } from "viem";
import {
  jobParamsForSpec,
  type JobParamsForSpecParameters,
  type JobParamsForSpecReturnType,
} from "../../../sdk/market/jobParamsForSpec";
import { planMaxUnitsForSpec } from "../../../sdk/planner/plannerJobForSpec";
import type { Plan } from "../../../sdk/planner/types";
import type { BuiltJob } from "./buildJob";

/** What `createJob` sends: the sdk's inputs (for `createJob`), and the params, spec and escrow they make. */
export interface PlannedJob extends JobParamsForSpecReturnType {
  parameters: JobParamsForSpecParameters;
}

/**
 * The job as `rigel job submit --plan` creates it (developer/cli.ts), through the same sdk function
 * (`jobParamsForSpec`, docs/PROTOCOL.md §16.3, §17): the spec with the plan's uneven `split` (a new
 * spec hash and data: URI), one shard per planned operator assigned to it, `maxUnitsPerShard` = the
 * largest planned shard's units, escrow `shards × maxUnitsPerShard × maxPricePerUnit`. Without a
 * plan (a container job without items) it is one open run of the GPU-seconds typed.
 */
export function plannedJob(
  job: BuiltJob,
  plan: Pick<Plan, "split" | "shards" | "maxUnitsPerShard"> | undefined,
  paymentToken: Address,
): PlannedJob {
  const parameters: JobParamsForSpecParameters = {
    spec: job.spec,
    paymentToken,
    maxPricePerUnit: job.maxPricePerUnit,
    deadline: job.deadlineSeconds,
    minVramMiB: job.minVramMiB,
    minOpsPerSec: job.minOpsPerSec,
    // llm-inference: the planned split's exact token bound, whatever the prompts' lengths.
    ...(plan
      ? { plan: { ...plan, maxUnitsPerShard: planMaxUnitsForSpec(job.spec, plan) } }
      : { shards: 1, maxUnitsPerShard: job.unitsPerShard }),
  };
  return { ...jobParamsForSpec(parameters), parameters };
}
