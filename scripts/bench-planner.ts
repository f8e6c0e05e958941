// Planner benchmark (issue #10). Prints numbers; asserts nothing; not part of `npm test`:
//   npx ts-node scripts/bench-planner.ts [--runs 20]
// Simulated fleets of 10, 100 and 10,000 operators whose attested throughputs follow real GPU
// classes, one matmul-int8 job (m = 1,000,000 rows, n = k = 4096), at most 64 shards:
//  1. makespan of the planner's split against an even split and a greedy fastest-first split,
//     for the same work and budget (every shard priced at the job's price, as the market pays);
//  2. the planner's run time (median of --runs) at each fleet size (target: < 50 ms at 10,000).
import { loadavg } from "node:os";
import { planJob } from "../sdk/planner/planJob";
import { plannerJobForSpec } from "../sdk/planner/plannerJobForSpec";
import type { PlannerJob, PlannerOperator } from "../sdk/planner/types";
import { evenMakespan, fleet, GPU_CLASSES, spec, W } from "./bench/plannerFleet";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const runs = Number(arg("runs", "20"));

/** Milliseconds, and the ratio to the planner's makespan. */
function ms(seconds: number, planner: number): string {
  return `${(seconds * 1e3).toFixed(2)} (${(seconds / planner).toFixed(2)}×)`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}; job: ${W} rows × 4096 × 4096, ≤ 64 shards`,
);
console.log(
  "GPU classes (dense INT8 TOPS, NVIDIA datasheets):",
  GPU_CLASSES.map((c) => `${c.name} ${c.tops}`).join(", "),
);
console.log("");
console.log(
  "fleet   eligible  shards   planner ms      even(same ops) ms  even(first K) ms  greedy fastest-first ms  plan cost  wall ms  cpu ms",
);
for (const size of [10, 100, 10_000]) {
  const ops = fleet(size, size);
  const job: PlannerJob = plannerJobForSpec({
    spec,
    objective: "fastest",
    budget: 10n ** 15n,
    maxPricePerUnit: 1000n,
    maxShards: 64,
    vramMiB: 16_384,
    now: 1_700_000_000,
  });
  planJob({ job, operators: ops }); // warm up
  const times: number[] = [];
  const cpu: number[] = [];
  let plan = planJob({ job, operators: ops });
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    plan = planJob({ job, operators: ops });
    const c = process.cpuUsage(c0);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push((c.user + c.system) / 1e3);
  }
  const eligible = ops.filter((o) => o.jailedUntil === 0);
  const k = plan.shards.length;
  const byAddress = new Map(ops.map((o) => [o.address, o]));
  const sameOps = plan.shards.map((s) => byAddress.get(s.operator) as PlannerOperator);
  const firstK = eligible.slice(0, k);
  const fastestK = [...eligible].sort((a, b) => b.opsPerSec - a.opsPerSec).slice(0, k);
  console.log(
    [
      String(size).padEnd(7),
      String(eligible.length).padStart(8),
      String(k).padStart(7),
      ms(plan.makespanSec, plan.makespanSec).padStart(11),
      ms(evenMakespan(sameOps), plan.makespanSec).padStart(18),
      ms(evenMakespan(firstK), plan.makespanSec).padStart(17),
      ms(evenMakespan(fastestK), plan.makespanSec).padStart(24),
      String(plan.cost).padStart(10),
      median(times).toFixed(2).padStart(13),
      median(cpu).toFixed(2).padStart(12),
    ].join(" "),
  );
}
console.log("");
console.log(
  "Makespans: expected milliseconds at effective throughput (attested ops/s × reliability), × the planner's.",
);
console.log("plan wall/cpu ms: median over --runs of planJob's wall-clock and process CPU time (the box is shared).");
console.log("even(same ops): the planner's operators, even rows; even(first K): the first K eligible");
console.log("operators, even rows; greedy fastest-first: the K fastest by attested ops/s (record ignored), even rows.");
console.log("Every split pays the same: the market pays units × the job's price, and units follow rows.");
