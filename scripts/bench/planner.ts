// Bench suite "planner" (the figures of PROTOCOL §15.4): on simulated fleets of 10, 100 and 10,000
// operators (scripts/bench/plannerFleet.ts; run r uses the fleet of seed size + r), one matmul-int8
// job of 10^6 rows × 4096 × 4096 in at most 64 shards:
//  - the expected makespan of three even splits ÷ the planner's: over the planner's own operators,
//    over the first K eligible operators, and greedy fastest-first (the K fastest by attested ops/s,
//    record ignored), K = the planner's shard count; every split pays the same (units × the job's
//    price), so only the makespan differs;
//  - the planner's run time at each fleet size, against a baseline measured in the same run:
//    computing every operator's effective throughput and sorting the fleet by it (what any planner
//    must at least do).
// Run alone: npx ts-node scripts/bench/planner.ts (RIGEL_BENCH_QUICK=1 for fewer runs).
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

const SPLITS = ["even split, same operators", "even split, first K eligible", "greedy fastest-first"] as const;

/** Each split's makespan ÷ the planner's, for the fleet of `size` and `seed`. */
function makespanRatios(size: number, seed: number): number[] {
  const ops = fleet(size, seed);
  const plan = planJob({ job, operators: ops });
  const k = plan.shards.length;
  const byAddress = new Map(ops.map((o) => [o.address, o]));
  const eligible = ops.filter((o) => o.jailedUntil === 0);
  const same = plan.shards.map((s) => byAddress.get(s.operator) as PlannerOperator);
  const firstK = eligible.slice(0, k);
  const fastestK = [...eligible].sort((a, b) => b.opsPerSec - a.opsPerSec).slice(0, k);
  return [same, firstK, fastestK].map((split) => evenMakespan(split) / plan.makespanSec);
}

function main(): void {
  const seeds = quick() ? 3 : 5;
  const runs = quick() ? 5 : 15;
  const rows: BenchRow[] = [];
  const sizes = [10, 100, 10_000];
  for (const size of sizes) {
    const ratios = Array.from({ length: seeds }, (_, r) => makespanRatios(size, size + r));
    SPLITS.forEach((split, i) =>
      rows.push(
        row(
          "planner",
          `${split} ÷ planner makespan, fleet of ${size.toLocaleString("en-US")}`,
          ratios.map((r) => r[i]),
          "×",
          { label: "planner's own makespan", value: 1, unit: "×" },
        ),
      ),
    );
  }
  for (const size of sizes) {
    const ops = fleet(size, size);
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
      row("planner", `planner run time, ${size.toLocaleString("en-US")} operators, ≤ 64 shards`, plan, "ms", {
        label: "effective ops/s + sort of the fleet, same run",
        value: stats(sort).median,
        unit: "ms",
      }),
    );
  }
  emit(rows);
}

main();
