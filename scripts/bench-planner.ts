// Planner benchmark (issue #10). Prints numbers; asserts nothing; not part of `npm test`:
//   npx ts-node scripts/bench-planner.ts [--runs 20]
// Simulated fleets of 10, 100 and 10,000 operators whose attested throughputs follow real GPU
// classes, one matmul-int8 job (m = 1,000,000 rows, n = k = 4096), at most 64 shards:
//  1. makespan of the planner's split against an even split and a greedy fastest-first split,
//     for the same work and budget (every shard priced at the job's price, as the market pays);
//  2. the planner's run time (median of --runs) at each fleet size (target: < 50 ms at 10,000).
import { loadavg } from "node:os";
import { effectiveOpsPerSec } from "../sdk/planner/effectiveThroughput";
import { planJob } from "../sdk/planner/planJob";
import { plannerJobForSpec } from "../sdk/planner/plannerJobForSpec";
import type { PlannerJob, PlannerOperator } from "../sdk/planner/types";
import { parseJobSpec } from "../sdk/spec/parseJobSpec";

/**
 * GPU classes: peak dense INT8 tensor TOPS (without sparsity) from NVIDIA's datasheets and
 * architecture whitepapers (H100 SXM5 datasheet; A100 datasheet; L40S datasheet; Ada Lovelace
 * whitepaper for the RTX 4090; Ampere GA102 whitepaper for the RTX 3090; A10, L4 and T4
 * datasheets), VRAM in MiB, and the share of a simulated fleet.
 */
const GPU_CLASSES = [
  { name: "H100 SXM", tops: 1979, vramMiB: 81_920, share: 0.05 },
  { name: "A100 SXM", tops: 624, vramMiB: 81_920, share: 0.1 },
  { name: "L40S", tops: 733, vramMiB: 49_152, share: 0.1 },
  { name: "RTX 4090", tops: 660.6, vramMiB: 24_576, share: 0.25 },
  { name: "RTX 3090", tops: 284, vramMiB: 24_576, share: 0.2 },
  { name: "A10", tops: 250, vramMiB: 24_576, share: 0.1 },
  { name: "L4", tops: 242.5, vramMiB: 24_576, share: 0.1 },
  { name: "T4", tops: 130, vramMiB: 16_384, share: 0.1 },
] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const runs = Number(arg("runs", "20"));

/** mulberry32: a small seeded PRNG, so every run simulates the same fleets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fleet(size: number, seed: number): PlannerOperator[] {
  const rand = prng(seed);
  const now = 1_700_000_000;
  return Array.from({ length: size }, (_, i) => {
    let u = rand();
    const cls = GPU_CLASSES.find((c) => (u -= c.share) < 0) ?? GPU_CLASSES[GPU_CLASSES.length - 1];
    // Attested = 55–85% of peak (what an int8 GEMM reaches), and a record: most clean, some not.
    const attested = cls.tops * 1e12 * (0.55 + 0.3 * rand());
    const settled = Math.floor(rand() * 200);
    const failed = rand() < 0.2 ? Math.floor(rand() * 20) : 0;
    return {
      address: `0x${(i + 1).toString(16).padStart(40, "0")}`,
      registered: true,
      opsPerSec: attested,
      vramMiB: cls.vramMiB,
      capacityValidUntil: now + 86_400,
      jailedUntil: rand() < 0.02 ? now + 3600 : 0,
      freeStake: 10n ** 22n,
      settled,
      failed,
      noShows: 0,
    };
  });
}

const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"44".repeat(32)}`, m: 1_000_000, n: 4096, k: 4096 });
const W = 1_000_000;
const OPS_PER_ROW = 2 * 4096 * 4096;

/** Makespan of giving `ops` the even split of W (expected, at effective throughput). */
function evenMakespan(ops: PlannerOperator[]): number {
  let worst = 0;
  ops.forEach((op, i) => {
    const rows = Math.floor(((i + 1) * W) / ops.length) - Math.floor((i * W) / ops.length);
    worst = Math.max(worst, (rows * OPS_PER_ROW) / effectiveOpsPerSec(op));
  });
  return worst;
}

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
