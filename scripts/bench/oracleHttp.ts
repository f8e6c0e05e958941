// Bench suite "oracle-http": latency of POST /v1/proofs on one oracle node (in this process, on the
// in-process Hardhat chain, HTTP on an ephemeral port of 127.0.0.1) under concurrent load from a
// second process (scripts/bench/oracleLoad.ts), bounded in count and time. A 512³ matmul job of 16
// shards (32 rows each) is computed and submitted first; the load posts one operator's proofs round
// robin, so each shard's first request verifies (all 32 rows sampled, n = k = 512) and the repeats
// get the stored answer. Rows (p99 in the note):
//  - the first request per shard, against the repeats' median in the same run (the verification's
//    share of the latency);
//  - the repeats, against GET /healthz on the same node, sequential, before the load (a bare HTTP
//    round trip through the same stack).
// Proofs verified per second without HTTP are the "oracle" suite. Run alone: npx hardhat run scripts/bench/oracleHttp.ts
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { hardhatAccountKey } from "../lib/hardhatAccountKey";
import { percentile } from "../lib/percentile";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { computeAndSubmit, createMatmulJob, matmulSpec, startOracle, tempDir } from "../../fixtures/oracleHarness";
import { emit, quick, row, since, stats } from "./rows";

const CONCURRENCY = 8;

interface LoadResult {
  seconds: number;
  latencies: { ms: number; status: number; first: boolean }[];
}

/** Runs scripts/bench/oracleLoad.ts as a second process and returns what it measured. */
async function runLoad(input: object): Promise<LoadResult> {
  const inputFile = path.join(tempDir("bench-oracle-load"), "input.json");
  writeFileSync(inputFile, JSON.stringify(input));
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "oracleLoad.ts")],
    {
      env: { ...process.env, RIGEL_LOAD_FILE: inputFile },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`the load process exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}

async function main(): Promise<void> {
  const total = quick() ? 100 : 400;
  const p = await deployProtocol();
  const node = await startOracle(p, p.oracles[0], tempDir("bench-oracle"), { ratePerMinute: 1_000_000 });
  try {
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

    const health: number[] = [];
    for (let i = -1; i < 20; i++) {
      const t = process.hrtime.bigint();
      await (await fetch(`${node.url}/healthz`)).text();
      if (i >= 0) health.push(since(t) * 1000);
    }

    const result = await runLoad({
      url: node.url,
      operatorKey: hardhatAccountKey(op.address),
      requests: mine,
      total,
      concurrency: CONCURRENCY,
      maxSeconds: quick() ? 30 : 60,
    });
    const statuses: Record<number, number> = {};
    for (const l of result.latencies) statuses[l.status] = (statuses[l.status] ?? 0) + 1;
    const note = (xs: number[]) =>
      `p99 ${percentile(xs, 0.99).toFixed(1)} ms; statuses ${JSON.stringify(statuses)}; concurrency ${CONCURRENCY}`;
    const first = result.latencies.filter((l) => l.first).map((l) => l.ms);
    const repeats = result.latencies.filter((l) => !l.first).map((l) => l.ms);
    emit([
      row(
        "oracle-http",
        "POST /v1/proofs, first per shard (verifies 32 rows of n = k = 512), under load",
        first,
        "ms",
        { label: "repeats (stored answer), same run", value: stats(repeats).median, unit: "ms" },
        note(first),
      ),
      row(
        "oracle-http",
        "POST /v1/proofs, repeats (stored answer), under load",
        repeats,
        "ms",
        { label: "GET /healthz, same node, sequential", value: stats(health).median, unit: "ms" },
        note(repeats),
      ),
    ]);
  } finally {
    await node.shutdown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
