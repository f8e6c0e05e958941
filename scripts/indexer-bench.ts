// The indexer's numbers (docs/BENCHMARKS.md "Indexer"): indexing speed in events per second, and the
// latency of the dapp's heaviest page's data (a developer's 20 newest jobs with every shard's outcome,
// the Developer page) read from chain logs and from the indexer. Runs on the in-process Hardhat
// network served over HTTP (free ports the OS picks: no fixed port, no node process):
//   npx hardhat run --no-compile scripts/indexer-bench.ts
// RIGEL_BENCH_JOBS (default 150) jobs of RIGEL_BENCH_SHARDS (default 4) shards, each accepted,
// submitted and settled in one verdict batch, spread over RIGEL_BENCH_DEVS (default 2) developers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, getAddress, http, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { chainHistoryReader, indexerHistoryReader, type HistoryReader } from "../app/src/chain/historyReader";
import { loadDeployment } from "../sdk/contracts/deployments";
import { deployProtocol, jobParamsFor, shardVerdict, verdictBatch } from "../fixtures/protocolFixture";
import { freePort, serveHardhat, writeDeployment } from "../test/indexer/helpers/indexerHarness";
import { indexedBlock, startIndexer, waitIndexed } from "./indexer/startIndexer";

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const JOBS = int("RIGEL_BENCH_JOBS", 150);
const SHARDS = int("RIGEL_BENCH_SHARDS", 4);
const DEVS = int("RIGEL_BENCH_DEVS", 2);
const ROOT = ethers.id("bench-result");

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
  const chain = await serveHardhat();
  const startBlock = (await ethers.provider.getBlockNumber()) + 1;
  const p = await deployProtocol();
  const rgl = await p.rgl.getAddress();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-indexer-bench-"));
  const deploymentFile = await writeDeployment(p, startBlock, work);
  console.log(`creating ${JOBS} jobs of ${SHARDS} shards (accepted, submitted, settled) ...`);
  const t0 = performance.now();
  for (let j = 0; j < JOBS; j++) {
    await p.market
      .connect(p.devs[j % DEVS])
      .createJob(await jobParamsFor(rgl, { shards: SHARDS, maxPricePerUnit: 10n ** 15n }));
    const jobId = await p.market.jobCount();
    const leaves = [];
    for (let s = 0; s < SHARDS; s++) {
      await p.market
        .connect(p.ops[s % p.ops.length])
        .acceptAndSubmit(jobId, s, ROOT, 80n, `http://agent/${jobId}/${s}`);
      leaves.push(await shardVerdict(p, jobId, s, 1));
    }
    const { batch, sigs } = await verdictBatch(p, leaves);
    await p.market.settleVerdicts(batch, sigs, leaves);
  }
  // Two epochs of rewards for the README's query: settle the work epoch, then one more.
  for (let e = 0; e < 2; e++) {
    const schedule = await p.rewards.schedule();
    await time.increaseTo(schedule.genesis + ((await p.rewards.currentEpoch()) + 1n) * schedule.epochLength);
    for (const op of p.ops) await p.rewards.settleOperator(op.address);
    if (e === 0) {
      await p.market.connect(p.devs[0]).createJob(await jobParamsFor(rgl, { shards: 1, maxPricePerUnit: 10n ** 15n }));
      const jobId = await p.market.jobCount();
      await p.market.connect(p.ops[0]).acceptAndSubmit(jobId, 0, ROOT, 80n, `http://agent/${jobId}/0`);
      const leaves = [await shardVerdict(p, jobId, 0, 1)];
      const { batch, sigs } = await verdictBatch(p, leaves);
      await p.market.settleVerdicts(batch, sigs, leaves);
    }
  }
  const head = await ethers.provider.getBlockNumber();
  const client = createPublicClient({ chain: hardhat, transport: http(chain.url) }) as PublicClient;
  const deployment = loadDeployment({ file: deploymentFile });
  const addresses = Object.values(deployment.contracts);
  const events = (await client.getLogs({ address: addresses, fromBlock: BigInt(startBlock), toBlock: BigInt(head) }))
    .length;
  console.log(
    `chain: ${head - startBlock + 1} blocks, ${events} protocol events, made in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  const launched = performance.now();
  const ix = await startIndexer({
    deploymentFile,
    rpcUrl: chain.url,
    port: await freePort(),
    dataDir: path.join(work, "pglite"),
    logFile: path.join(work, "indexer.log"),
    logLevel: "warn",
    pollMs: 100,
  });
  const up = performance.now();
  await waitIndexed(ix.url, head, 900_000);
  const done = performance.now();
  const seconds = (done - up) / 1000;
  console.log(
    `indexing: ${events} events in ${seconds.toFixed(1)} s after the API answered = ${(events / seconds).toFixed(0)} events/s ` +
      `(start-up ${((up - launched) / 1000).toFixed(1)} s; indexed block ${await indexedBlock(ix.url)})`,
  );

  const metrics = await (await fetch(`${ix.url}/metrics`)).text();
  const total = (name: string) =>
    metrics
      .split("\n")
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
  console.log(
    `  of which: indexing functions ${(total("ponder_indexing_function_duration_sum") / 1000).toFixed(1)} s, ` +
      `${total("ponder_rpc_request_duration_count")} RPC requests (${(total("ponder_rpc_request_duration_sum") / 1000).toFixed(1)} s summed)`,
  );

  const query = `${ix.url}/v1/operators/${p.ops[0].address}/rewards-per-epoch`;
  console.log(`\n$ curl ${query}`);
  console.log(JSON.stringify(await (await fetch(query)).json(), null, 2));

  const dev = getAddress(p.devs[0].address);
  const readers: HistoryReader[] = [
    chainHistoryReader(client, deployment),
    indexerHistoryReader(ix.url, client, deployment),
  ];
  for (const r of readers) {
    const jobs = await median(5, () => r.jobs(dev, 20));
    const history = await median(5, () => r.history(undefined, 50));
    const shards = await median(5, () => r.shardHistory(getAddress(p.ops[0].address), 30));
    console.log(
      `latency from ${r.source.padEnd(7)}: Developer page jobs(20) ${jobs.toFixed(0)} ms, Rewards history(50) ${history.toFixed(0)} ms, Operator shards(30) ${shards.toFixed(0)} ms (median of 5)`,
    );
  }
  await ix.stop();
  await chain.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
