// Bench suite "pow": the CPU int8 kernel, the verify/prove ratio and Freivalds/matmul, each as a
// ratio against a figure measured in the same run. Run alone: npx ts-node scripts/bench/pow.ts
import { availableParallelism } from "node:os";
import { keccak256 } from "viem";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { freivalds } from "../../sdk/pow/freivalds";
import { generateMatrix, generatorKeys } from "../../sdk/pow/generator";
import { matmulInt8, matmulInt8Sync } from "../../sdk/pow/kernel";
import { generatedOperands } from "../../sdk/pow/operands";
import { revealRows } from "../../sdk/pow/reveal";
import { sampleIndices } from "../../sdk/pow/sample";
import { verifySampledRows } from "../../sdk/pow/verify";
import { cpuSeconds, scalarBaselineGops } from "./baseline";
import { emit, quick, row, since, type BenchRow } from "./rows";

async function main(): Promise<void> {
  const runs = quick() ? 3 : 5;
  const size = quick() ? 512 : 1024;
  const threads = availableParallelism();
  const keys = generatorKeys(keccak256("0x62656e6368"));
  const a = generateMatrix(keys.a, size, size);
  const b = generateMatrix(keys.b, size, size);
  const shape = { m: size, n: size, k: size };
  const ops = 2 * size ** 3;
  matmulInt8Sync(a.subarray(0, 8 * size), b, { ...shape, m: 8 });
  await matmulInt8(a.subarray(0, 8 * threads * size), b, { ...shape, m: 8 * threads }, { threads });

  const baseline: number[] = [];
  const single: number[] = [];
  const multi: number[] = [];
  for (let r = 0; r < runs; r++) {
    baseline.push(scalarBaselineGops(Math.min(size, 512)));
    single.push(ops / cpuSeconds(() => matmulInt8Sync(a, b, shape)) / 1e9);
    const t = process.hrtime.bigint();
    await matmulInt8(a, b, shape, { threads });
    multi.push(ops / since(t) / 1e9);
  }
  const base = {
    label: "naive scalar int32 loop, same run",
    value: baseline.sort((x, y) => x - y)[runs >> 1],
    unit: "GOPS",
  };
  const rows: BenchRow[] = [
    row("pow", `CPU int8 kernel, ${size}³, 1 thread (CPU time)`, single, "GOPS", base),
    row("pow", `CPU int8 kernel, ${size}³, ${threads} threads (wall)`, multi, "GOPS", base),
  ];

  // Verify/prove and Freivalds/matmul: both sides measured here, in CPU time of one thread.
  const s = 32;
  const verify: number[] = [];
  const fre: number[] = [];
  // Run -1 warms the JIT and is not counted.
  for (let r = -1; r < runs; r++) {
    let c: Int32Array = new Int32Array(0);
    const prove = cpuSeconds(() => {
      const ga = generateMatrix(keys.a, size, size);
      const gb = generateMatrix(keys.b, size, size);
      c = matmulInt8Sync(ga, gb, shape);
    });
    let commitment = commitRows(rowHashes(c, size, size));
    const commit = cpuSeconds(() => {
      commitment = commitRows(rowHashes(c, size, size));
    });
    const beacon = keccak256(commitment.root);
    const revealed = revealRows(c, size, commitment, sampleIndices(beacon, size, s));
    const check = cpuSeconds(() => {
      const operands = generatedOperands({ seed: keccak256("0x62656e6368"), ...shape });
      verifySampledRows({ operands, root: commitment.root, beacon, s, revealed });
    });
    if (r >= 0) verify.push(check / (prove + commit));
    let full: Int32Array = new Int32Array(0);
    const matmul = cpuSeconds(() => {
      full = matmulInt8Sync(a, b, shape);
    });
    const check1 = cpuSeconds(() => freivalds({ a, b, c: full, ...shape, rounds: 1 }));
    if (r >= 0) fre.push(check1 / matmul);
  }
  rows.push(
    row(
      "pow",
      `verify/prove, ${size}³, s = ${s} (CPU time)`,
      verify.map((x) => x * 100),
      "%",
      {
        label: "s/m (rows recomputed)",
        value: (100 * s) / size,
        unit: "%",
      },
    ),
    row(
      "pow",
      `Freivalds (1 round) / matmul, ${size}³ (CPU time)`,
      fre.map((x) => x * 100),
      "%",
      {
        label: "3 mat-vec products: 3n²/n³",
        value: (100 * 3) / size,
        unit: "%",
      },
    ),
  );
  emit(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
