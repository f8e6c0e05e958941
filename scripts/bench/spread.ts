// Standalone benchmark, not a suite of `npm run bench` (it runs a network of three agents for
// minutes): the measured spread of shard finish times, planned against even (PROTOCOL §15.6).
// Prints numbers; asserts nothing; not part of `npm test`:
//   npx ts-node scripts/bench/spread.ts [--runs 3] [--m 3072] [--nk 768] [--port 9280]
// Three agents on a real `hardhat node` whose speeds differ by their kernel threads (1, 2, 4;
// RIGEL_AGENT_CPU_THREADS, attested with the same setting). Per run: one gang job planned by
// `rigel job submit --plan`, then the same work split evenly over the same operators; spread =
// max − min of the time each agent journaled its shard `ran` (all start at the gang's shared start).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSpreadPair, SPREAD_AGENTS, type SpreadJob } from "./spreadRun";
import { stats } from "./rows";
import { startNetwork } from "../lib/network";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function describeJob(job: SpreadJob): string {
  const t0 = Math.min(...job.shards.map((s) => s.ranAtMs));
  return job.shards
    .map(
      (s) =>
        `${s.agent}: ${s.rows} rows, attested ${(Number(s.attestedOpsPerSec) / 1e9).toFixed(2)} GOPS, ran +${((s.ranAtMs - t0) / 1000).toFixed(2)} s`,
    )
    .join("; ");
}

async function main(): Promise<void> {
  const runs = Number(arg("runs", "3"));
  const m = Number(arg("m", "3072"));
  const nk = Number(arg("nk", "768"));
  const port = Number(arg("port", "9280"));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-bench-spread-"));
  const network = await startNetwork({ port, workDir, agents: SPREAD_AGENTS, log: (l) => console.log(l) });
  const planned: number[] = [];
  const even: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const pair = await runSpreadPair(network, { networkDir: workDir, workDir, m, n: nk, k: nk, seed: 1000 + r });
      planned.push(pair.planned.spreadSec);
      even.push(pair.even.spreadSec);
      console.log(`run ${r + 1}: planned spread ${pair.planned.spreadSec.toFixed(2)} s (${describeJob(pair.planned)})`);
      console.log(`run ${r + 1}: even    spread ${pair.even.spreadSec.toFixed(2)} s (${describeJob(pair.even)})`);
    }
  } finally {
    await network.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const p = stats(planned);
  const e = stats(even);
  console.log(
    `matmul ${m}×${nk}×${nk}, ${runs} run(s), host: ${os.cpus().length} CPU(s), load ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log(`planned: median spread ${p.median.toFixed(2)} s (min ${p.min.toFixed(2)}, max ${p.max.toFixed(2)})`);
  console.log(`even:    median spread ${e.median.toFixed(2)} s (min ${e.min.toFixed(2)}, max ${e.max.toFixed(2)})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
