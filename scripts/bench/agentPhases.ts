// Standalone benchmark, not a suite of `npm run bench` (the agent's JobCreated → ShardAccepted over a
// whole network is the "e2e" suite's "agent" row). Prints numbers; asserts nothing. On a real
// `hardhat node` (127.0.0.1:8660, started here), with the whole protocol deployed and the agent
// daemon in this process:
//  1. JobCreated → ShardAccepted latency, p50 (and p90, min, max) over N one-shard matmul jobs, the
//     agent polling every POLL ms;
//  2. one matmul shard's time split into generate, compute, commit (the prover's own clocks), and
//     submit, prove, settle (journal transition times; PROTOCOL §14.2).
// The committee is three real oracle nodes (fixtures/oracleCommittee.ts, in this process, HTTP on
// 8663-8665), so "prove" includes the proof's HTTP round trips and each oracle's verification.
//   RIGEL_LOCALHOST_URL=http://127.0.0.1:8660 npx hardhat run --network localhost scripts/bench/agentPhases.ts
// Env: BENCH_JOBS (50), BENCH_POLL_MS (100), BENCH_M/N/K (1024/1024/1024).
import { network } from "hardhat";
import { startHardhatNode } from "../lib/hardhatNode";
import { JobKind, ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { runDaemon } from "../../sdk/service/runDaemon";
import { deployProtocol, jobParamsFor } from "../../fixtures/protocolFixture";
import { http, type Hex } from "viem";
import { createOracleGateway } from "../../agent/oracle/createOracleGateway";
import { createLogger } from "../../sdk/log/createLogger";
import { testDaemon } from "../../fixtures/agentHarness";
import { startTestCommittee } from "../../fixtures/oracleCommittee";

const JOBS = Number(process.env.BENCH_JOBS ?? 50);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const [M, N, K] = ["BENCH_M", "BENCH_N", "BENCH_K"].map((v) => Number(process.env[v] ?? 1024));

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (network.name !== "localhost") throw new Error("run with --network localhost (and RIGEL_LOCALHOST_URL)");
  const port = Number(new URL(process.env.RIGEL_LOCALHOST_URL ?? "http://127.0.0.1:8660").port);
  // `hardhat run` exports HARDHAT_NETWORK=localhost, which `hardhat node` (a child) must not inherit.
  const network_ = process.env.HARDHAT_NETWORK;
  delete process.env.HARDHAT_NETWORK;
  const node = await startHardhatNode({ port });
  process.env.HARDHAT_NETWORK = network_;
  try {
    const p = await deployProtocol();
    const committee = await startTestCommittee({
      transport: http(process.env.RIGEL_LOCALHOST_URL ?? "http://127.0.0.1:8660"),
      chainId: 31337,
      market: (await p.market.getAddress()) as Hex,
      committee: (await p.committee.getAddress()) as Hex,
      startBlock: 0n,
      ports: [8663, 8664, 8665],
    });
    const silent = createLogger({ name: "bench", level: "silent", destination: { write: () => undefined } });
    const urls = committee.urls.join(",");
    const { daemon, logger } = await testDaemon(p, {
      port: 8661,
      oracle: (chain) => createOracleGateway({ urls, account: chain.account, chain, logger: silent }),
    });
    const loop = runDaemon({ daemon, logger, intervalMs: POLL_MS, signals: [] });
    await sleep(500);

    // 1. Latency: tiny shards, so accepting is all that is measured.
    const tiny = parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 8, n: 8, k: 8 });
    const latencies: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const params = await jobParamsFor(await p.usd.getAddress(), {
        kind: JobKind.MatmulInt8,
        specHash: hashJobSpec(tiny).hash,
        specURI: jobSpecDataUri(tiny),
      });
      const tx = await p.market.connect(p.devs[0]).createJob(params);
      await tx.wait();
      const created = performance.now();
      const jobId = await p.market.jobCount();
      while ((await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Open)) await sleep(5);
      latencies.push(performance.now() - created);
    }
    console.log(
      `JobCreated → ShardAccepted over ${JOBS} jobs (agent poll ${POLL_MS} ms): p50 ${quantile(latencies, 0.5).toFixed(0)} ms, ` +
        `p90 ${quantile(latencies, 0.9).toFixed(0)} ms, min ${Math.min(...latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    // Let the tiny shards settle before the timed shard.
    while (daemon.journal.unfinished().length > 0) await sleep(100);

    // 2. One shard of M×N×K, phase by phase.
    const big = parseJobSpec({ kind: "matmul-int8", seed: `0x${"22".repeat(32)}`, m: M, n: N, k: K });
    const params = await jobParamsFor(await p.usd.getAddress(), {
      kind: JobKind.MatmulInt8,
      specHash: hashJobSpec(big).hash,
      specURI: jobSpecDataUri(big),
    });
    await (await p.market.connect(p.devs[0]).createJob(params)).wait();
    const jobId = await p.market.jobCount();
    while (daemon.journal.get(jobId, 0)?.state !== "settled") await sleep(100);
    const history = daemon.journal.history(jobId, 0);
    const at = (to: string) => history.find((h) => h.to === to)!.at;
    const seconds = daemon.journal.get(jobId, 0)!.data.seconds as { generate: number; compute: number; commit: number };
    console.log(
      `matmul shard ${M}×${N}×${K} (CPU kernel): generate ${seconds.generate.toFixed(3)} s, compute ${seconds.compute.toFixed(3)} s, ` +
        `commit ${seconds.commit.toFixed(3)} s, submit ${((at("submitted") - at("submitting")) / 1000).toFixed(3)} s, ` +
        `prove ${((at("attested") - at("proving")) / 1000).toFixed(3)} s, settle ${((at("settled") - at("settling")) / 1000).toFixed(3)} s`,
    );
    loop.stop();
    await loop.done;
    await committee.stop();
  } finally {
    await node.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
