import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One shard an operator took, with its outcome and what it earned or lost. */
export interface OperatorShard {
  jobId: bigint;
  shard: number;
  blockNumber: bigint;
  /** `developer fault`: the developer's code failed; paid for the units used, no slash (PROTOCOL §18.2). */
  outcome: "accepted" | "settled" | "developer fault" | "failed" | "expired";
  collateral: bigint;
  /** Credited to the operator in the market (net of the fee), on settlement or a developer fault; withdrawn by `withdraw`. */
  earned: bigint;
  slashed: bigint;
}

/** The operator's shards from `ShardAccepted` logs, with the outcome events that closed them, newest first. */
export async function readShardHistory(
  client: PublicClient,
  deployment: Deployment,
  operator: Address,
  limit = 30,
): Promise<OperatorShard[]> {
  const address = deployment.contracts.JobMarket;
  const fromBlock = deployment.block;
  const args = { operator };
  const [accepted, settled, developerFault, failed, expired] = await Promise.all([
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardAccepted", args, fromBlock }),
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardSettled", args, fromBlock }),
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardDeveloperFault", args, fromBlock }),
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardFailed", args, fromBlock }),
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardExpired", args, fromBlock }),
  ]);
  const key = (jobId?: bigint, shard?: number) => `${jobId}:${shard}`;
  const rows = new Map<string, OperatorShard>();
  for (const e of accepted) {
    rows.set(key(e.args.jobId, e.args.shard), {
      jobId: e.args.jobId!,
      shard: e.args.shard!,
      blockNumber: e.blockNumber,
      outcome: "accepted",
      collateral: e.args.collateral!,
      earned: 0n,
      slashed: 0n,
    });
  }
  for (const e of settled) {
    const row = rows.get(key(e.args.jobId, e.args.shard));
    if (row) Object.assign(row, { outcome: "settled", earned: e.args.paid! });
  }
  for (const e of developerFault) {
    const row = rows.get(key(e.args.jobId, e.args.shard));
    if (row) Object.assign(row, { outcome: "developer fault", earned: e.args.paid! });
  }
  for (const e of failed) {
    const row = rows.get(key(e.args.jobId, e.args.shard));
    if (row) Object.assign(row, { outcome: "failed", slashed: e.args.slashed! });
  }
  for (const e of expired) {
    const row = rows.get(key(e.args.jobId, e.args.shard));
    if (row) Object.assign(row, { outcome: "expired", slashed: e.args.slashed! });
  }
  return [...rows.values()].reverse().slice(0, limit);
}
