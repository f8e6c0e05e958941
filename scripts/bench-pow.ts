// Proof-of-work benchmarks (issue #5). Prints numbers; asserts nothing. Run when the machine is idle:
//   npx ts-node scripts/bench-pow.ts [--sizes 1024,2048] [--s 32] [--threads N]
// 1. CPU kernel throughput in GOPS (2·m·n·k / s), single- and multi-threaded, against an estimated peak.
// 2. Sampled-row verification cost over prover cost at m = n = k = 2048, s = 32, in one run.
// 3. Freivalds time against matmul time at n = 2048.
import { availableParallelism, cpus, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { keccak256, type Hex } from "viem";
import { commitRows, rowHashes } from "../sdk/pow/commitment";
import { freivalds } from "../sdk/pow/freivalds";
import { generateMatrix, generatorKeys } from "../sdk/pow/generator";
import { matmulInt8, matmulInt8Sync } from "../sdk/pow/kernel";
import { generatedOperands } from "../sdk/pow/operands";
import { revealRows } from "../sdk/pow/reveal";
import { sampleIndices } from "../sdk/pow/sample";
import { verifySampledRows } from "../sdk/pow/verify";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const sizes = arg("sizes", "1024,2048").split(",").map(Number);
const s = Number(arg("s", "32"));
const threads = Number(arg("threads", String(availableParallelism())));

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const gops = (m: number, n: number, k: number, t: number) => (2 * m * n * k) / t / 1e9;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** Peak estimates from the CPU's flags, core count and clock (see docs/PROTOCOL.md §3.9). */
function peaks() {
  const cores = cpus().length;
  let cpuinfo = "";
  try {
    cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    cpuinfo = "";
  }
  const flags = cpuinfo.match(/^flags\s*:(.*)$/m)?.[1] ?? "";
  // Some VMs report a speed of 0 to node; /proc/cpuinfo's "cpu MHz" is the clock the guest sees.
  const mhz = cpus()[0].speed || Number(cpuinfo.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1] ?? 0);
  const ghz = mhz / 1000;
  const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
  // Exact signed int8×int8→int32 with SIMD needs sign extension to int16 and vpmaddwd (16 MACs per
  // 256-bit instruction; vpmaddubsw saturates, so it is not exact); two vector multiply pipes per core.
  const simdMacsPerCycle = has("avx512_vnni") ? 2 * 64 : has("avx512bw") ? 2 * 32 : has("avx2") ? 2 * 16 : 2 * 8;
  // JavaScript has no SIMD. Scalar integer: one imul per cycle per core. Scalar float64 with two int8
  // lanes packed per double (what sdk/pow/kernel-worker.js does): two multiply and two add pipes,
  // so 2 float64 multiply-adds = 4 int8 MACs per cycle per core.
  const scalarIntMacsPerCycle = 1;
  const scalarPackedMacsPerCycle = 4;
  return {
    cores,
    ghz,
    isa: has("avx512_vnni") ? "AVX-512 VNNI" : has("avx512bw") ? "AVX-512BW" : has("avx2") ? "AVX2" : "SSE",
    simd: 2 * simdMacsPerCycle * ghz * cores,
    simdPerCore: 2 * simdMacsPerCycle * ghz,
    scalarInt: 2 * scalarIntMacsPerCycle * ghz * cores,
    scalar: 2 * scalarPackedMacsPerCycle * ghz * cores,
    scalarPerCore: 2 * scalarPackedMacsPerCycle * ghz,
  };
}

async function main() {
  const peak = peaks();
  console.log(
    `CPU: ${cpus()[0].model}, ${peak.cores} cores at ${peak.ghz.toFixed(2)} GHz, ${peak.isa}; load ${load()}`,
  );
  console.log(
    `Estimated exact int8 peak: SIMD ${peak.simd.toFixed(0)} GOPS (${peak.simdPerCore.toFixed(0)} per core); ` +
      `scalar float64 with 2 packed lanes ${peak.scalar.toFixed(1)} GOPS (${peak.scalarPerCore.toFixed(1)} per core); ` +
      `scalar integer ${peak.scalarInt.toFixed(1)} GOPS`,
  );

  const seed: Hex = keccak256("0x62656e6368");
  const keys = generatorKeys(seed);
  console.log("\n1. CPU kernel throughput");
  for (const size of sizes) {
    const shape = { m: size, n: size, k: size };
    const a = generateMatrix(keys.a, size, size);
    const b = generateMatrix(keys.b, size, size);
    // Warm the JIT on this thread and in the worker pool.
    matmulInt8Sync(a.subarray(0, 8 * size), b, { ...shape, m: 8 });
    await matmulInt8(a.subarray(0, 8 * threads * size), b, { ...shape, m: 8 * threads }, { threads });
    let t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const c1 = matmulInt8Sync(a, b, shape);
    const single = seconds(t);
    const singleCpu = process.cpuUsage(cpu).user / 1e6;
    t = process.hrtime.bigint();
    const cN = await matmulInt8(a, b, shape, { threads });
    const multi = seconds(t);
    const same = c1.every((v, i) => v === cN[i]);
    console.log(
      `  ${size}³: 1 thread ${single.toFixed(2)} s = ${gops(size, size, size, single).toFixed(2)} GOPS ` +
        `(${((100 * gops(size, size, size, single)) / peak.scalarPerCore).toFixed(0)}% of packed-scalar core peak; ` +
        `by CPU time ${singleCpu.toFixed(2)} s = ${gops(size, size, size, singleCpu).toFixed(2)} GOPS); ` +
        `${threads} threads ${multi.toFixed(2)} s = ${gops(size, size, size, multi).toFixed(2)} GOPS ` +
        `(${((100 * gops(size, size, size, multi)) / peak.scalar).toFixed(0)}% of packed-scalar peak, ` +
        `${((100 * gops(size, size, size, multi)) / peak.simd).toFixed(1)}% of SIMD peak); equal: ${same}; load ${load()}`,
    );
  }

  const n = 2048;
  const workload = { seed, m: n, n, k: n };
  console.log(`\n2. Sampled-row verification vs proving, m = n = k = ${n}, s = ${s} (load ${load()})`);
  // Each step timed on the wall clock and in CPU time of this thread (process.cpuUsage counts all
  // threads, so the multi-threaded matmul is left out of the CPU-time ratio). CPU time is the fairer
  // measure while other processes share the cores.
  const step = <T>(fn: () => T): { value: T; wall: number; cpu: number } => {
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const value = fn();
    return { value, wall: seconds(wall), cpu: process.cpuUsage(cpu).user / 1e6 };
  };
  const gen = step(() => ({ a: generateMatrix(keys.a, n, n), b: generateMatrix(keys.b, n, n) }));
  const { a, b } = gen.value;
  const mm1 = step(() => matmulInt8Sync(a, b, workload));
  const c = mm1.value;
  const t = process.hrtime.bigint();
  await matmulInt8(a, b, workload, { threads });
  const tMatmulN = seconds(t);
  const commit = step(() => commitRows(rowHashes(c, n, n)));
  const commitment = commit.value;
  const beacon = keccak256(commitment.root);
  const revealed = revealRows(c, n, commitment, sampleIndices(beacon, n, s));
  // The verifier: generate B, draw the sample, check the proofs and recompute the rows.
  const verGen = step(() => generatedOperands(workload));
  const verRows = step(() => verifySampledRows({ operands: verGen.value, root: commitment.root, beacon, s, revealed }));
  const verify = { wall: verGen.wall + verRows.wall, cpu: verGen.cpu + verRows.cpu };
  const prover = { wall: gen.wall + mm1.wall + commit.wall, cpu: gen.cpu + mm1.cpu + commit.cpu };
  const proverN = gen.wall + tMatmulN + commit.wall;
  const pct = (x: number, y: number) => `${((100 * x) / y).toFixed(2)}%`;
  console.log(
    `  prover (wall / CPU s): generate ${gen.wall.toFixed(3)} / ${gen.cpu.toFixed(3)} + matmul 1 thread ` +
      `${mm1.wall.toFixed(2)} / ${mm1.cpu.toFixed(2)} (${threads} threads: ${tMatmulN.toFixed(2)} wall) + commit ` +
      `${commit.wall.toFixed(3)} / ${commit.cpu.toFixed(3)}`,
  );
  console.log(
    `  verifier, 1 thread (wall / CPU s): generate B ${verGen.wall.toFixed(3)} / ${verGen.cpu.toFixed(3)} + sample, ` +
      `${s} proofs and rows ${verRows.wall.toFixed(3)} / ${verRows.cpu.toFixed(3)}`,
  );
  console.log(
    `  ratio verify/prove (1-thread prover): ${pct(verify.cpu, prover.cpu)} by CPU time, ${pct(verify.wall, prover.wall)} ` +
      `by wall time (${pct(verify.wall, proverN)} against the ${threads}-thread prover's wall time); ` +
      `rows and proofs only vs matmul only: ${pct(verRows.cpu, mm1.cpu)} by CPU time; s/m = ${pct(s, n)}`,
  );

  console.log(`\n3. Freivalds vs matmul at n = ${n} (load ${load()})`);
  for (const rounds of [1, 32]) {
    const f = step(() => freivalds({ a, b, c, m: n, n, k: n, rounds }));
    console.log(
      `  ${rounds} round${rounds > 1 ? "s" : ""}: ${f.wall.toFixed(3)} s wall / ${f.cpu.toFixed(3)} s CPU = ` +
        `${pct(f.cpu, mm1.cpu)} of the 1-thread matmul by CPU time (${mm1.cpu.toFixed(2)} s), ` +
        `${pct(f.wall, mm1.wall)} by wall time, ${pct(f.wall, tMatmulN)} of the ${threads}-thread matmul's wall time`,
    );
  }
  console.log(`\nload at the end: ${load()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
