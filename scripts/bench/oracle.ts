// Bench suite "oracle": proofs a committee member verifies per second (matmul-int8, m = n = k =
// size, s = 32 sampled rows, one thread, CPU time; the verifier is verifySampledRows, as the
// oracle node runs it). The reference is measured in the same run: how many proofs per second the
// naive scalar int32 loop (scripts/bench/baseline.ts) could check if it only recomputed the s
// sampled rows (2·s·n·k operations each), so the ratio is the verifier's speed against recomputing
// with plain code, whatever the machine. POST /v1/proofs latency over HTTP is the suite
// "oracle-http" (scripts/bench/oracleHttp.ts). Run alone: npx ts-node scripts/bench/oracle.ts
import { availableParallelism } from "node:os";
import { keccak256, toHex } from "viem";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { generateMatrix, generatorKeys } from "../../sdk/pow/generator";
import { matmulInt8 } from "../../sdk/pow/kernel";
import { generatedOperands } from "../../sdk/pow/operands";
import { revealRows } from "../../sdk/pow/reveal";
import { sampleIndices } from "../../sdk/pow/sample";
import { verifySampledRows } from "../../sdk/pow/verify";
import { cpuSeconds, scalarBaselineGops } from "./baseline";
import { emit, quick, row, stats } from "./rows";

const S = 32;

async function main(): Promise<void> {
  const size = quick() ? 512 : 1024;
  const runs = quick() ? 3 : 5;
  const perRun = quick() ? 5 : 10;
  const seed = keccak256(toHex(`bench-oracle-${size}`));
  const keys = generatorKeys(seed);
  const a = generateMatrix(keys.a, size, size);
  const b = generateMatrix(keys.b, size, size);
  const c = await matmulInt8(a, b, { m: size, n: size, k: size }, { threads: availableParallelism() });
  const commitment = commitRows(rowHashes(c, size, size));
  const proofs = Array.from({ length: perRun }, (_, r) => {
    const beacon = keccak256(toHex(`beacon-${size}-${r}`));
    return { beacon, revealed: revealRows(c, size, commitment, sampleIndices(beacon, size, S)) };
  });
  const verifyAll = () => {
    for (const { beacon, revealed } of proofs) {
      // The oracle derives the operands from the spec for every proof.
      const operands = generatedOperands({ seed, m: size, n: size, k: size });
      verifySampledRows({ operands, root: commitment.root, beacon, s: S, revealed });
    }
  };
  verifyAll(); // warm the JIT
  const rates: number[] = [];
  const baseline: number[] = [];
  for (let r = 0; r < runs; r++) {
    rates.push(perRun / cpuSeconds(verifyAll));
    baseline.push((scalarBaselineGops(Math.min(size, 512)) * 1e9) / (2 * S * size * size));
  }
  emit([
    row("oracle", `proofs verified, matmul-int8 ${size}³, s = ${S}, 1 thread (CPU time)`, rates, "proofs/s", {
      label: `naive scalar loop recomputing ${S} rows, same run`,
      value: stats(baseline).median,
      unit: "proofs/s",
    }),
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
