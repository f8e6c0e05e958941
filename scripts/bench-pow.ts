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
  let t = process.hrtime.bigint();
  const a = generateMatrix(keys.a, n, n);
  const b = generateMatrix(keys.b, n, n);
  const tGenerate = seconds(t);
  t = process.hrtime.bigint();
  const c = matmulInt8Sync(a, b, workload);
  const tMatmul1 = seconds(t);
  t = process.hrtime.bigint();
  const cN = await matmulInt8(a, b, workload, { threads });
  const tMatmulN = seconds(t);
  t = process.hrtime.bigint();
  const commitment = commitRows(rowHashes(cN, n, n));
  const tCommit = seconds(t);
  const beacon = keccak256(commitment.root);
  const revealed = revealRows(c, n, commitment, sampleIndices(beacon, n, s));
  t = process.hrtime.bigint();
  const operands = generatedOperands(workload);
  const tVerifyGenerate = seconds(t);
  t = process.hrtime.bigint();
  verifySampledRows({ operands, root: commitment.root, beacon, s, revealed });
  const tVerifyRows = seconds(t);
  const verify = tVerifyGenerate + tVerifyRows;
  const prover1 = tGenerate + tMatmul1 + tCommit;
  const proverN = tGenerate + tMatmulN + tCommit;
  console.log(
    `  prover: generate ${tGenerate.toFixed(3)} s + matmul ${tMatmul1.toFixed(2)} s (1 thread) / ${tMatmulN.toFixed(2)} s ` +
      `(${threads} threads) + commit ${tCommit.toFixed(3)} s`,
  );
  console.log(
    `  verifier (1 thread): generate B ${tVerifyGenerate.toFixed(3)} s + sample, ${s} rows, proofs ${tVerifyRows.toFixed(3)} s = ${verify.toFixed(3)} s`,
  );
  console.log(
    `  ratio verify/prove: ${((100 * verify) / prover1).toFixed(2)}% against the 1-thread prover, ` +
      `${((100 * verify) / proverN).toFixed(2)}% against the ${threads}-thread prover; ` +
      `rows only vs matmul only: ${((100 * tVerifyRows) / tMatmul1).toFixed(2)}%; s/m = ${((100 * s) / n).toFixed(2)}%`,
  );

  console.log(`\n3. Freivalds vs matmul at n = ${n} (load ${load()})`);
  for (const rounds of [1, 32]) {
    t = process.hrtime.bigint();
    freivalds({ a, b, c, m: n, n, k: n, rounds });
    const tF = seconds(t);
    console.log(
      `  ${rounds} round${rounds > 1 ? "s" : ""}: ${tF.toFixed(3)} s = ${((100 * tF) / tMatmul1).toFixed(2)}% of the ` +
        `1-thread matmul (${tMatmul1.toFixed(2)} s), ${((100 * tF) / tMatmulN).toFixed(2)}% of the ${threads}-thread one`,
    );
  }
  console.log(`\nload at the end: ${load()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
