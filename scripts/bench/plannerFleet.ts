// Simulated operator fleets and makespans for the bench suite "planner" (scripts/bench/planner.ts):
// operators whose attested throughputs follow real GPU classes, and the makespan of an even split of
// one large matmul-int8 job.
import { effectiveOpsPerSec } from "../../sdk/planner/effectiveThroughput";
import type { PlannerOperator } from "../../sdk/planner/types";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

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

export function fleet(size: number, seed: number): PlannerOperator[] {
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

export const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"44".repeat(32)}`, m: 1_000_000, n: 4096, k: 4096 });
const W = 1_000_000;
const OPS_PER_ROW = 2 * 4096 * 4096;

/** Makespan of giving `ops` the even split of W (expected, at effective throughput). */
export function evenMakespan(ops: PlannerOperator[]): number {
  let worst = 0;
  ops.forEach((op, i) => {
    const rows = Math.floor(((i + 1) * W) / ops.length) - Math.floor((i * W) / ops.length);
    worst = Math.max(worst, (rows * OPS_PER_ROW) / effectiveOpsPerSec(op));
  });
  return worst;
}
