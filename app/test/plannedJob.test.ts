import { describe, expect, it } from "vitest";
import { planJob } from "../../sdk/planner/planJob";
import { plannerJobForSpec, specWithPlan } from "../../sdk/planner/plannerJobForSpec";
import type { PlannerOperator } from "../../sdk/planner/types";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { matmulShardRows } from "../../sdk/spec/shardWork";
import { JobKind } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/jobSpecDataUri";
import { buildJob, type JobForm } from "../src/lib/buildJob";
import { plannedJob } from "../src/lib/plannedJob";
import { isPlannable, planRequest, type PlanForm } from "../src/lib/planRequest";

const E18 = 10n ** 18n;
const RGL = "0x00000000000000000000000000000000000000a1";
const FORM: JobForm = {
  kind: "matmul-int8",
  seed: "0x" + "22".repeat(32),
  m: "1000",
  n: "1000",
  k: "1000",
  image: "rigel/busybox:test",
  command: "echo hi",
  items: "",
  gpuSecondsPerShard: "60",
  shards: "8",
  maxPricePerUnit: "1",
  deadlineMinutes: "10",
  minVramMiB: "0",
  minOpsPerSec: "0",
};
const PLAN_FORM: PlanForm = {
  objective: "fastest",
  budget: "100",
  withinSeconds: "600",
  itemSeconds: "2",
  referenceOpsPerSec: "1000000000000",
};
const op = (i: number, opsPerSec: number): PlannerOperator => ({
  address: `0x${i.toString(16).padStart(40, "0")}`,
  registered: true,
  opsPerSec,
  vramMiB: 24_576,
  capacityValidUntil: 10_000,
  jailedUntil: 0,
  freeStake: 1000n * E18,
  settled: 0,
  failed: 0,
  noShows: 0,
});

describe("planRequest and plannedJob (the page's use of the sdk planner)", () => {
  it("creates the job as `rigel job submit --plan` does: uneven split in the hashed spec, operators assigned", () => {
    const built = buildJob(FORM, 0n);
    const { request, problems } = planRequest(PLAN_FORM, built);
    expect(problems).toEqual([]);
    expect(request).toEqual({
      objective: "fastest",
      budget: 100n * E18,
      deadlineSec: undefined,
      maxShards: 8,
      vramMiB: 0,
      minOpsPerSec: 0,
      itemSeconds: undefined,
      referenceOpsPerSec: undefined,
    });
    const plan = planJob({
      job: plannerJobForSpec({ spec: built.spec, maxPricePerUnit: built.maxPricePerUnit, now: 0, ...request! }),
      operators: [op(1, 1e12), op(2, 3e12)],
    });
    expect(plan.split).toEqual([750, 250]);
    const job = plannedJob(built, plan, RGL);
    const spec = specWithPlan(built.spec, plan);
    expect(job.spec).toEqual(spec);
    expect(job.spec.kind === "matmul-int8" && job.spec.split).toEqual([750, 250]);
    expect(job.params.specHash).toBe(hashJobSpec(spec).hash);
    expect(job.params.specHash).not.toBe(built.specHash);
    expect(job.params.specURI).toBe(jobSpecDataUri(spec));
    expect(job.params.shards).toBe(2);
    expect(job.params.kind).toBe(JobKind.MatmulInt8);
    expect(job.params.paymentToken).toBe(RGL);
    expect(job.params.deadline).toBe(built.deadlineSeconds);
    // The largest shard: 750 rows × 10^6 multiply-adds = 0.75 → 1 unit; escrow 2 × 1 × 1 RGL.
    expect(job.params.maxUnitsPerShard).toBe(1n);
    expect(job.escrow).toBe(2n * E18);
    expect(job.params.shardOperators).toEqual([op(2, 0).address, op(1, 0).address]);
    // The chain's view of the shards: shard 1 is rows [750, 1000).
    expect(job.spec.kind === "matmul-int8" && matmulShardRows(job.spec, 2, 1)).toEqual({ start: 750, end: 1000 });
    // What createJob is given makes the same params.
    expect(job.parameters).toMatchObject({ spec: built.spec, plan, paymentToken: RGL });
  });

  it("a one-shard plan keeps the spec without a split", () => {
    const built = buildJob({ ...FORM, m: "64" }, 0n);
    const plan = planJob({
      job: plannerJobForSpec({
        spec: built.spec,
        maxPricePerUnit: E18,
        now: 0,
        ...planRequest(PLAN_FORM, built).request!,
      }),
      operators: [op(1, 1e12)],
    });
    const job = plannedJob(built, plan, RGL);
    expect(job.params.specHash).toBe(built.specHash);
    expect(job.params.shards).toBe(1);
    expect(job.params.shardOperators).toEqual([op(1, 0).address]);
  });

  it("asks container jobs with items for the item time, and names every field at fault", () => {
    const container = buildJob({ ...FORM, kind: "container", items: "1\n2\n3", shards: "8" }, 0n);
    expect(container.shards).toBe(3);
    expect(isPlannable(container)).toBe(true);
    expect(planRequest({ ...PLAN_FORM, objective: "cheapest", withinSeconds: "60" }, container).request).toMatchObject({
      objective: "cheapest",
      deadlineSec: 60,
      maxShards: 3,
      itemSeconds: 2,
      referenceOpsPerSec: 1e12,
    });
    expect(
      planRequest({ ...PLAN_FORM, budget: "x", itemSeconds: "0", referenceOpsPerSec: "" }, container).problems,
    ).toEqual([
      "budget must be a number of RGL",
      "seconds per item must be a number above 0",
      "reference ops/s must be a number above 0",
    ]);
    expect(
      planRequest({ ...PLAN_FORM, objective: "cheapest", withinSeconds: "-1" }, buildJob(FORM, 0n)).problems,
    ).toEqual(["finish within must be a number above 0"]);
    const oneRun = buildJob({ ...FORM, kind: "container", items: "", shards: "8" }, 0n);
    expect(oneRun.shards).toBe(1);
    expect(isPlannable(oneRun)).toBe(false);
  });
});
