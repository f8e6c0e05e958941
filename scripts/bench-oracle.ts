// Oracle benchmarks (issue #6). Prints numbers; asserts nothing; not part of npm test.
//   npx hardhat run scripts/bench-oracle.ts          (env BENCH_SIZES=1024,2048 BENCH_LOAD=400)
// 1. Proofs verified per second, matmul-int8 m = n = k = size, s = 32, on one core (the verifier
//    runs on the calling thread: verifySampledRows, no worker threads).
// 2. p50/p99 latency of POST /v1/proofs on an oracle node (in this process, on the in-process
//    Hardhat chain), under concurrent load from a second process on 127.0.0.1, bounded in count and time.
import { spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { keccak256, toHex } from "viem";
import { commitRows, rowHashes } from "../sdk/pow/commitment";
import { generateMatrix, generatorKeys } from "../sdk/pow/generator";
import { matmulInt8 } from "../sdk/pow/kernel";
import { generatedOperands } from "../sdk/pow/operands";
import { revealRows } from "../sdk/pow/reveal";
import { sampleIndices } from "../sdk/pow/sample";
import { verifySampledRows } from "../sdk/pow/verify";
import { deployProtocol } from "../test/contracts/market/protocolFixture";
import {
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  startOracle,
  tempDir,
} from "../test/oracle/helpers/oracleHarness";

const sizes = (process.env.BENCH_SIZES ?? "1024,2048")
  .split(",")
  .filter((x) => x !== "")
  .map(Number);
const loadTotal = Number(process.env.BENCH_LOAD ?? 400);
const S = 32;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

async function verifyThroughput(size: number): Promise<void> {
  const seed = keccak256(toHex(`bench-oracle-${size}`));
  const keys = generatorKeys(seed);
  const a = generateMatrix(keys.a, size, size);
  const b = generateMatrix(keys.b, size, size);
  const c = await matmulInt8(a, b, { m: size, n: size, k: size }, { threads: availableParallelism() });
  const commitment = commitRows(rowHashes(c, size, size));
  const operands = generatedOperands({ seed, m: size, n: size, k: size });
  const runs = size <= 1024 ? 20 : 5;
  const proofs = Array.from({ length: runs }, (_, r) => {
    const beacon = keccak256(toHex(`beacon-${size}-${r}`));
    return { beacon, revealed: revealRows(c, size, commitment, sampleIndices(beacon, size, S)) };
  });
  const t0 = process.hrtime.bigint();
  for (const { beacon, revealed } of proofs) {
    verifySampledRows({ operands, root: commitment.root, beacon, s: S, revealed });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `verify matmul-int8 m=n=k=${size} s=${S}: ${runs} proofs in ${seconds.toFixed(2)} s = ` +
      `${(runs / seconds).toFixed(1)} proofs/s on one core (load ${load()})`,
  );
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function latencyUnderLoad(): Promise<void> {
  const p = await deployProtocol();
  const node = await startOracle(p, p.oracles[0], tempDir("bench-oracle"), { ratePerMinute: 1_000_000 });
  const spec = matmulSpec("b1", 512, 512, 512);
  const shards = 16;
  const jobId = await createMatmulJob(p, spec, shards);
  const requests = [];
  for (let shard = 0; shard < shards; shard++) {
    const sub = await computeAndSubmit(p, p.ops[shard % 4], spec, jobId, shard, shards);
    requests.push(sub.request);
  }
  // One operator's shards only (the load process signs with one key).
  const op = p.ops[0];
  const mine = requests.filter((r) => r.operator.toLowerCase() === op.address.toLowerCase());
  const { hardhatAccountKey } = await import("./lib/hardhatAccountKey");
  const input = {
    url: node.url,
    operatorKey: hardhatAccountKey(op.address),
    requests: mine,
    total: loadTotal,
    concurrency: 8,
    maxSeconds: 60,
  };
  const inputFile = path.join(tempDir("bench-oracle-load"), "input.json");
  writeFileSync(inputFile, JSON.stringify(input));
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "lib", "oracleLoad.ts")],
    { env: { ...process.env, RIGEL_LOAD_FILE: inputFile }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((resolve) => child.on("exit", resolve));
  const result = JSON.parse(out) as { seconds: number; latencies: { ms: number; status: number; first: boolean }[] };
  const report = (label: string, xs: number[]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    if (sorted.length === 0) return;
    console.log(
      `POST /v1/proofs ${label}: n=${sorted.length} p50 ${percentile(sorted, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 0.99).toFixed(1)} ms`,
    );
  };
  const statuses: Record<number, number> = {};
  for (const l of result.latencies) statuses[l.status] = (statuses[l.status] ?? 0) + 1;
  console.log(
    `load: ${result.latencies.length} requests in ${result.seconds.toFixed(1)} s from a second process, ` +
      `concurrency 8, statuses ${JSON.stringify(statuses)} (load ${load()})`,
  );
  report(
    "all",
    result.latencies.map((l) => l.ms),
  );
  report(
    "first per shard (verifies m'=128 rows of n=k=512)",
    result.latencies.filter((l) => l.first).map((l) => l.ms),
  );
  report(
    "repeats (stored answer)",
    result.latencies.filter((l) => !l.first).map((l) => l.ms),
  );
  await node.shutdown();
}

async function main(): Promise<void> {
  for (const size of sizes) await verifyThroughput(size);
  await latencyUnderLoad();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
