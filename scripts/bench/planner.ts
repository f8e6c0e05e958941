// Bench suite "planner": the planner's makespan against an even split over the same operators, and
// its run time at 10,000 operators. Fleets are simulated (scripts/bench/plannerFleet.ts); each run
// uses a fleet of another seed. The run time is compared with a baseline measured in the same run:
// computing every operator's effective throughput and sorting the fleet by it (what any planner must
// at least do). Run alone: npx ts-node scripts/bench/planner.ts
import { effectiveOpsPerSec } from "../../sdk/planner/effectiveThroughput";
import { planJob } from "../../sdk/planner/planJob";
import { plannerJobForSpec } from "../../sdk/planner/plannerJobForSpec";
import type { PlannerOperator } from "../../sdk/planner/types";
import { evenMakespan, fleet, spec } from "./plannerFleet";
import { emit, quick, row, since, stats, type BenchRow } from "./rows";

const job = plannerJobForSpec({
  spec,
  objective: "fastest",
  budget: 10n ** 15n,
  maxPricePerUnit: 1000n,
  maxShards: 64,
  vramMiB: 16_384,
  now: 1_700_000_000,
});

/** Even split over the planner's own operators ÷ the planner's makespan, for a fleet of `size`. */
function makespanRatio(size: number, seed: number): number {
  const ops = fleet(size, seed);
  const plan = planJob({ job, operators: ops });
  const byAddress = new Map(ops.map((o) => [o.address, o]));
  const same = plan.shards.map((s) => byAddress.get(s.operator) as PlannerOperator);
  return evenMakespan(same) / plan.makespanSec;
}

function main(): void {
  const runs = quick() ? 5 : 15;
  const rows: BenchRow[] = [];
  for (const size of [100, 10_000]) {
    const ratios = Array.from({ length: quick() ? 3 : 5 }, (_, r) => makespanRatio(size, size + r));
    rows.push(
      row("planner", `even split ÷ planner makespan, fleet of ${size.toLocaleString("en-US")}`, ratios, "×", {
        label: "planner's own makespan",
        value: 1,
        unit: "×",
      }),
    );
  }
  const ops = fleet(10_000, 10_000);
  planJob({ job, operators: ops }); // warm the JIT
  const plan: number[] = [];
  const sort: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = process.hrtime.bigint();
    planJob({ job, operators: ops });
    plan.push(since(t) * 1e3);
    t = process.hrtime.bigint();
    ops.map((o) => ({ o, e: effectiveOpsPerSec(o) })).sort((a, b) => b.e - a.e);
    sort.push(since(t) * 1e3);
  }
  rows.push(
    row("planner", "planner run time, 10,000 operators, ≤ 64 shards", plan, "ms", {
      label: "effective ops/s + sort of the fleet, same run",
      value: stats(sort).median,
      unit: "ms",
    }),
  );
  emit(rows);
}

main();
