// Creating and reading jobs for the end-to-end tests, straight against JobMarket (the demo goes
// through `rigel job`; these tests need exact control: assigned operators, short deadlines).
import { parseEther, parseEventLogs, type Address } from "viem";
import { computeTokenAbi, jobMarketAbi } from "../../../sdk/contracts/abis";
import { shardStateName } from "../../../sdk/market/enums";
import { jobSpecDataUri } from "../../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import type { DevAccount, Devnet } from "../../../scripts/lib/devnet";
import { sendAs } from "../../../scripts/lib/network";

export const PRICE = parseEther("1");
export const UNITS = 1n;

/** Creates a matmul-int8 job (1 unit per shard at 1 RGL) and returns its id and escrow. */
export async function createMatmulJob(
  devnet: Devnet,
  dev: DevAccount,
  p: { size: number; shards: number; operators?: Address[]; deadlineSec?: number; seed: number; uploadUrl?: string },
): Promise<{ jobId: bigint; escrow: bigint }> {
  const spec = parseJobSpec({
    kind: "matmul-int8",
    seed: `0x${p.seed.toString(16).padStart(64, "0")}`,
    m: p.size,
    n: p.size,
    k: p.size,
    ...(p.uploadUrl ? { uploadUrl: p.uploadUrl } : {}),
  });
  const { contracts } = devnet.deployment;
  const escrow = BigInt(p.shards) * UNITS * PRICE;
  await sendAs(devnet, dev, {
    address: contracts.ComputeToken,
    abi: computeTokenAbi,
    functionName: "approve",
    args: [contracts.JobMarket, escrow],
  });
  const now = (await devnet.client.getBlock()).timestamp;
  const receipt = await sendAs(devnet, dev, {
    address: contracts.JobMarket,
    abi: jobMarketAbi,
    functionName: "createJob",
    args: [
      {
        paymentToken: contracts.ComputeToken,
        kind: 0,
        verificationMode: 0,
        shards: p.shards,
        maxUnitsPerShard: UNITS,
        maxPricePerUnit: PRICE,
        minVramMiB: 0,
        minOpsPerSec: 0n,
        deadline: now + BigInt(p.deadlineSec ?? 900),
        specHash: hashJobSpec(spec).hash,
        specURI: jobSpecDataUri(spec),
        shardOperators: p.operators ?? [],
      },
    ],
  });
  const [created] = parseEventLogs({ abi: jobMarketAbi, eventName: "JobCreated", logs: receipt.logs });
  return { jobId: created.args.jobId, escrow };
}

export async function shardState(devnet: Devnet, jobId: bigint, shard: number): Promise<string> {
  const s = await devnet.client.readContract({
    address: devnet.deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    functionName: "getShard",
    args: [jobId, shard],
  });
  return shardStateName(s.state);
}

/** Polls until shard `shard` of `jobId` is in one of `states`; throws after `timeoutMs`. */
export async function waitForShard(
  devnet: Devnet,
  jobId: bigint,
  shard: number,
  states: readonly string[],
  timeoutMs = 180_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await shardState(devnet, jobId, shard);
    if (states.includes(state)) return state;
    if (Date.now() > until) throw new Error(`job ${jobId} shard ${shard} is ${state}, not ${states.join("/")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** RGL the market owes `who` (credited payouts and refunds, not yet withdrawn: PROTOCOL §20.1). */
export async function rglOwed(devnet: Devnet, who: Address): Promise<bigint> {
  return devnet.client.readContract({
    address: devnet.deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    functionName: "owedOf",
    args: [devnet.deployment.contracts.ComputeToken, who],
  });
}

/** RGL `who` holds in its wallet plus what the market owes it (credited, withdrawable: PROTOCOL §20.1). */
export async function rglHeld(devnet: Devnet, who: Address): Promise<bigint> {
  return (await rglBalance(devnet, who)) + (await rglOwed(devnet, who));
}

export async function rglBalance(devnet: Devnet, who: Address): Promise<bigint> {
  return devnet.client.readContract({
    address: devnet.deployment.contracts.ComputeToken,
    abi: computeTokenAbi,
    functionName: "balanceOf",
    args: [who],
  });
}
