// Planned against even split on three agents of different speeds (PROTOCOL §15.6): shared by the
// end-to-end test (test/e2e/spread.e2e.test.ts, which asserts correctness only) and the benchmark
// (scripts/bench/spread.ts, which prints the measured spread).
//
// The agents differ honestly by the one operator setting that sets a CPU host's speed: the threads
// of its matmul kernel (`RIGEL_AGENT_CPU_THREADS`), which `rigel agent benchmark` uses too, so each
// agent's attested ops/s reflects it. Both jobs are gang jobs (`rigel job submit --gang`): every
// shard starts at the shared on-chain start, so the finish spread measures the split, not how far
// apart the agents happened to accept.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { parseEther, type Address } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { isFinalShardState } from "../../sdk/market/enums";
import { readJobStatus } from "../../sdk/market/readJobStatus";
import { readShard } from "../../sdk/market/readShard";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import { matmulShardRows } from "../../sdk/spec/shardWork";
import { jobCommand } from "../demo/runDemo";
import type { Network, NetworkAgent } from "../lib/network";

/** Three agents, 1, 2 and 4 kernel threads (slowest first). */
export const SPREAD_AGENTS: NetworkAgent[] = [
  { name: "threads-1", env: { RIGEL_AGENT_CPU_THREADS: "1" } },
  { name: "threads-2", env: { RIGEL_AGENT_CPU_THREADS: "2" } },
  { name: "threads-4", env: { RIGEL_AGENT_CPU_THREADS: "4" } },
];

/** One shard's outcome: its operator, rows, on-chain state and when the agent finished computing it. */
export interface SpreadShard {
  shard: number;
  operator: Address;
  agent: string;
  attestedOpsPerSec: bigint;
  rows: number;
  state: string;
  /** Unix ms the agent journaled `ran` (its result computed and committed). */
  ranAtMs: number;
  /** Block timestamp of its ShardSubmitted (seconds). */
  submittedAt: bigint;
}

export interface SpreadJob {
  jobId: bigint;
  mode: "planned" | "even";
  shards: SpreadShard[];
  /** The gang's shared start (`gangOf(jobId).startedAt`, seconds). */
  startedAt: bigint;
  /** max − min of `ranAtMs` over the shards, in seconds. */
  spreadSec: number;
}

const PRICE = parseEther("0.000001");

/** Submits one job over the three operators (planned, or an even split assigned in the same order). */
async function submit(
  network: Network,
  specFile: string,
  mode: "planned" | "even",
  say: (line: string) => void,
): Promise<bigint> {
  const { devnet } = network;
  const common = ["--max-price", `${PRICE}wei`, "--deadline", "1800", "--gang", "300", "--yes"];
  const args =
    mode === "planned"
      ? ["submit", specFile, "--plan", "--max-shards", "3", "--budget", "100", ...common]
      : [
          "submit",
          specFile,
          "--shards",
          "3",
          "--operators",
          network.operators.map((o) => o.address).join(","),
          ...common,
        ];
  const res = await jobCommand(devnet, devnet.developers[0], args, say);
  return BigInt(res.jobId as string);
}

/** The journal time (Unix ms) at which `agent` (data directory `<networkDir>/<agent>`) recorded shard `shard` of `jobId` as `ran`. */
function ranAt(networkDir: string, agent: string, jobId: bigint, shard: number): number {
  const db = new Database(path.join(networkDir, agent, "journal.db"), { readonly: true });
  try {
    const row = db
      .prepare<[string, number], { at: number }>(
        "SELECT at FROM transitions WHERE job_id = ? AND shard = ? AND to_state = 'ran' ORDER BY id LIMIT 1",
      )
      .get(jobId.toString(), shard);
    if (!row) throw new Error(`${agent} has no 'ran' for ${jobId}/${shard}`);
    return row.at;
  } finally {
    db.close();
  }
}

async function readSpreadJob(
  network: Network,
  networkDir: string,
  jobId: bigint,
  mode: SpreadJob["mode"],
): Promise<SpreadJob> {
  const { client, deployment } = network.devnet;
  const market = deployment.contracts.JobMarket;
  const job = await readJobStatus(client, { market, jobId });
  const submitted = await client.getContractEvents({
    address: market,
    abi: jobMarketAbi,
    eventName: "ShardSubmitted",
    args: { jobId },
    fromBlock: deployment.block,
  });
  const [created] = await client.getContractEvents({
    address: market,
    abi: jobMarketAbi,
    eventName: "JobCreated",
    args: { jobId },
    fromBlock: deployment.block,
  });
  const createdArgs = created.args as { specURI: string; specHash: `0x${string}` };
  const { spec } = await fetchJobSpec(createdArgs.specURI, createdArgs.specHash);
  if (spec.kind !== "matmul-int8") throw new Error(`job ${jobId} is not a matmul job`);
  const shards: SpreadShard[] = [];
  for (const shard of job.shards) {
    const s = shard.shard;
    const i = network.operators.findIndex((o) => o.address.toLowerCase() === shard.operator.toLowerCase());
    const agent = network.names[network.operators[i].address];
    const cap = await client.readContract({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "capacityOf",
      args: [shard.operator],
    });
    const event = submitted.find((e) => Number(e.args.shard) === s);
    const block = event ? await client.getBlock({ blockNumber: event.blockNumber }) : undefined;
    const rows = matmulShardRows(spec, job.shards.length, s);
    shards.push({
      shard: s,
      operator: shard.operator,
      agent,
      attestedOpsPerSec: cap.opsPerSec,
      rows: rows.end - rows.start,
      state: shard.stateName,
      ranAtMs: ranAt(networkDir, agent, jobId, s),
      submittedAt: block?.timestamp ?? 0n,
    });
  }
  const times = shards.map((s) => s.ranAtMs);
  return {
    jobId,
    mode,
    shards,
    startedAt: job.gang?.startedAt ?? 0n,
    spreadSec: (Math.max(...times) - Math.min(...times)) / 1000,
  };
}

/** Waits until every shard of `jobId` is final (Settled, Failed, Cancelled, Expired or DeveloperFault). */
async function waitFinal(network: Network, jobId: bigint, shards: number, timeoutMs: number): Promise<void> {
  const { client, deployment } = network.devnet;
  const until = Date.now() + timeoutMs;
  for (;;) {
    network.assertRunning();
    const states = await Promise.all(
      Array.from({ length: shards }, (_, s) =>
        readShard(client, { market: deployment.contracts.JobMarket, jobId, shard: s }),
      ),
    );
    if (states.every((s) => isFinalShardState(s.state))) return;
    if (Date.now() > until) throw new Error(`job ${jobId} not final after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Runs one job of `m × n × k` planned, then the same work split evenly over the same operators (one
 * job at a time, so that they do not share the CPU), and reads each shard's finish from the agents'
 * journals (`networkDir`: the network's workDir, each agent's data under `<networkDir>/<name>`).
 */
export async function runSpreadPair(
  network: Network,
  p: { networkDir: string; workDir: string; m: number; n: number; k: number; seed: number; timeoutMs?: number },
  say: (line: string) => void = () => undefined,
): Promise<{ planned: SpreadJob; even: SpreadJob }> {
  const specFile = path.join(p.workDir, `spread-${p.seed}.json`);
  const seed = `0x${p.seed.toString(16).padStart(64, "0")}`;
  fs.writeFileSync(specFile, JSON.stringify({ kind: "matmul-int8", seed, m: p.m, n: p.n, k: p.k }));
  const out: Partial<Record<SpreadJob["mode"], SpreadJob>> = {};
  for (const mode of ["planned", "even"] as const) {
    const jobId = await submit(network, specFile, mode, say);
    say(`${mode} job ${jobId} submitted`);
    await waitFinal(network, jobId, 3, p.timeoutMs ?? 10 * 60_000);
    out[mode] = await readSpreadJob(network, p.networkDir, jobId, mode);
    say(`${mode} job ${jobId}: spread ${out[mode]!.spreadSec.toFixed(3)} s`);
  }
  return { planned: out.planned!, even: out.even! };
}
