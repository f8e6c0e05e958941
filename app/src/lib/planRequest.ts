import { parseUnits } from "viem";
import type { PlannerObjective } from "../../../sdk/planner/types";
import type { BuiltJob } from "./buildJob";

/** The planner's part of the create-job form, as typed. */
export interface PlanForm {
  objective: PlannerObjective;
  /** Fastest: the most the job may cost, in RGL (decimal). */
  budget: string;
  /** Cheapest: seconds from the start by which every shard must be done. */
  withinSeconds: string;
  /** Container jobs with items: seconds one item takes on the reference GPU. */
  itemSeconds: string;
  /** Container jobs with items: the reference GPU's attested ops/s. */
  referenceOpsPerSec: string;
}

/** What the page hands the sdk planner besides the spec (all JSON-safe strings become numbers here). */
export interface PlanRequest {
  objective: PlannerObjective;
  budget?: bigint;
  deadlineSec?: number;
  maxShards: number;
  vramMiB: number;
  minOpsPerSec: number;
  itemSeconds?: number;
  referenceOpsPerSec?: number;
}

/** Whether a job is planned: a container job without items is one run, open to any eligible operator. */
export function isPlannable(job: BuiltJob): boolean {
  return job.spec.kind !== "container" || job.spec.items !== undefined;
}

function positive(value: string, field: string, problems: string[]): number {
  const n = Number(value.trim());
  if (!(Number.isFinite(n) && n > 0)) problems.push(`${field} must be a number above 0`);
  return n;
}

/** The planner's request for a built job; `problems` lists the fields at fault (empty when usable). */
export function planRequest(form: PlanForm, job: BuiltJob): { request?: PlanRequest; problems: string[] } {
  const problems: string[] = [];
  let budget: bigint | undefined;
  let deadlineSec: number | undefined;
  if (form.objective === "fastest") {
    try {
      budget = parseUnits(form.budget.trim(), 18);
      if (budget <= 0n) problems.push("budget must be above 0");
    } catch {
      problems.push("budget must be a number of RGL");
    }
  } else {
    deadlineSec = positive(form.withinSeconds, "finish within", problems);
  }
  let itemSeconds: number | undefined;
  let referenceOpsPerSec: number | undefined;
  if (job.spec.kind === "container") {
    itemSeconds = positive(form.itemSeconds, "seconds per item", problems);
    referenceOpsPerSec = positive(form.referenceOpsPerSec, "reference ops/s", problems);
  }
  if (job.shards > 64) problems.push("at most 64 shards");
  if (problems.length > 0) return { problems };
  return {
    problems,
    request: {
      objective: form.objective,
      budget,
      deadlineSec,
      maxShards: job.shards,
      vramMiB: job.minVramMiB,
      minOpsPerSec: Number(job.minOpsPerSec),
      itemSeconds,
      referenceOpsPerSec,
    },
  };
}
