// `npm run load:node -- --reads`: what one call of each kind the services make costs the Hardhat node,
// in CPU milliseconds (the node process's utime + stime from /proc, Linux), measured on a node with
// `jobs` assigned single-shard jobs: reads sent 50 to a JSON-RPC batch (as the services' batching
// transport sends them) and one per HTTP request, and a createJob as eth_call, eth_estimateGas and
// mined transaction. The node's CPU under `npm run load` is these costs times the calls per job that
// `npm run load -- --rpc-stats` counts, plus what this cannot see (many clients at once).
import { createPublicClient, encodeFunctionData, http, parseEther, type Address, type PublicClient } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import type { Devnet } from "../lib/devnet";
import { processCpuSeconds } from "./processCpu";
import { createBatch, jobParamsTuple } from "./runLoad";

const CALLS = 1000;

/** Node CPU ms per call of `one`, `CALLS` calls sent `perRequest` to a JSON-RPC batch. */
async function cost(
  pid: number,
  perRequest: number,
  one: (c: PublicClient, i: number) => Promise<unknown>,
  url: string,
) {
  const client = createPublicClient({
    transport: http(url, perRequest > 1 ? { batch: { wait: 0, batchSize: perRequest } } : {}),
  }) as PublicClient;
  const before = processCpuSeconds(pid) ?? NaN;
  for (let i = 0; i < CALLS; i += perRequest)
    await Promise.all(Array.from({ length: perRequest }, (_, k) => one(client, i + k)));
  return (((processCpuSeconds(pid) ?? NaN) - before) / CALLS) * 1000;
}

export async function measureReadCosts(
  devnet: Devnet,
  client: PublicClient,
  p: { jobs: number; deadline: bigint; seed: number },
): Promise<string[]> {
  const { JobMarket: market, ComputeToken: rgl } = devnet.deployment.contracts;
  const staking = (await client.readContract({
    address: market,
    abi: jobMarketAbi,
    functionName: "staking",
  })) as Address;
  const dev = devnet.developers[0];
  const operator = devnet.operators[0].address;
  const job = (i: number) => ({
    paymentToken: rgl,
    seed: BigInt(p.seed + i),
    size: 32,
    price: parseEther("1") / 1000n,
    deadline: p.deadline,
    operator,
  });
  let nonce = await client.getTransactionCount({ address: dev.address, blockTag: "pending" });
  for (let first = 0; first < p.jobs; first += 20) {
    const n = Math.min(20, p.jobs - first);
    await createBatch(devnet, client, dev, nonce, job, first, n);
    nonce += n;
  }
  const last = await client.readContract({ address: market, abi: jobMarketAbi, functionName: "jobCount" });
  const jobId = (i: number) => last - BigInt(i % Math.min(p.jobs, 40));
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const pid = devnet.node.pid;
  const url = devnet.rpcUrl;
  const reads: [string, (c: PublicClient, i: number) => Promise<unknown>][] = [
    ["eth_blockNumber", (c) => c.getBlockNumber({ cacheTime: 0 })],
    ["eth_getBlockByNumber latest", (c) => c.getBlock()],
    [
      "JobMarket.getShard",
      (c, i) => c.readContract({ address: market, abi: jobMarketAbi, functionName: "getShard", args: [jobId(i), 0] }),
    ],
    [
      "JobMarket.getJob",
      (c, i) => c.readContract({ address: market, abi: jobMarketAbi, functionName: "getJob", args: [jobId(i)] }),
    ],
    [
      "JobMarket.assignedOperator",
      (c, i) =>
        c.readContract({ address: market, abi: jobMarketAbi, functionName: "assignedOperator", args: [jobId(i), 0] }),
    ],
    [
      "OperatorStaking.eligibilityOf",
      (c) =>
        c.readContract({ address: staking, abi: operatorStakingAbi, functionName: "eligibilityOf", args: [operator] }),
    ],
    ["eth_getLogs market, last 50 blocks", (c) => c.getLogs({ address: market, fromBlock: head - 50n, toBlock: head })],
  ];
  const lines: string[] = [
    `node CPU per call (ms), ${CALLS} calls each, on a chain of ${last} jobs and ${head} blocks:`,
  ];
  for (const [name, one] of reads) {
    const batched = await cost(pid, 50, one, url);
    const alone = await cost(pid, 1, one, url);
    lines.push(`  ${name.padEnd(36)} ${batched.toFixed(2)} in batches of 50, ${alone.toFixed(2)} one per HTTP request`);
  }
  const data = encodeFunctionData({ abi: jobMarketAbi, functionName: "createJob", args: [jobParamsTuple(job(0))] });
  const asCall = await cost(pid, 1, (c) => c.call({ account: dev.address, to: market, data }), url);
  const asEstimate = await cost(pid, 1, (c) => c.estimateGas({ account: dev.address, to: market, data }), url);
  const before = processCpuSeconds(pid) ?? NaN;
  for (let i = 0; i < 100; i++) {
    await createBatch(devnet, client, dev, nonce, job, p.jobs + i, 1);
    nonce += 1;
  }
  const mined = (((processCpuSeconds(pid) ?? NaN) - before) / 100) * 1000;
  lines.push(
    `  createJob (assigned, 32³ spec): eth_call ${asCall.toFixed(2)}, eth_estimateGas ${asEstimate.toFixed(2)}, ` +
      `sent raw and mined alone with its receipt read ${mined.toFixed(2)}`,
  );
  return lines;
}
