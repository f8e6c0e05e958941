import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One payment to an operator for work: a settled shard or a developer fault's paid units. */
export interface WorkPayment {
  at: bigint;
  paid: bigint;
}

/** The operator's work payments (`ShardSettled.paid`, `ShardDeveloperFault.paid`) with their block times, oldest first. */
export async function readWorkPayments(
  client: PublicClient,
  deployment: Deployment,
  operator: Address,
): Promise<WorkPayment[]> {
  const address = deployment.contracts.JobMarket;
  const fromBlock = deployment.block;
  const [settled, developerFault] = await Promise.all([
    client.getContractEvents({ address, abi: jobMarketAbi, eventName: "ShardSettled", args: { operator }, fromBlock }),
    client.getContractEvents({
      address,
      abi: jobMarketAbi,
      eventName: "ShardDeveloperFault",
      args: { operator },
      fromBlock,
    }),
  ]);
  const logs = [...settled, ...developerFault];
  const blocks = new Map<bigint, bigint>();
  await Promise.all(
    [...new Set(logs.map((l) => l.blockNumber))].map(async (blockNumber) => {
      blocks.set(blockNumber, (await client.getBlock({ blockNumber })).timestamp);
    }),
  );
  return logs
    .map((l) => ({ at: blocks.get(l.blockNumber)!, paid: l.args.paid! }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
