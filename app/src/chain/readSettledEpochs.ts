import type { PublicClient } from "viem";
import { rewardsDistributorAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import type { SettledEpoch } from "../lib/yieldOverWindow";

/** One `EpochSettled`: an operator's epoch, its reward and the three-way split (PROTOCOL §10.3). */
export interface OperatorSettledEpoch extends SettledEpoch {
  selfShare: bigint;
}

/**
 * Every operator's settled epochs from `EpochSettled` logs since the deployment block, keyed by
 * lower-case operator address, oldest first. The yield window and the earnings chart read it (one
 * reader per data set, so an indexer can replace it).
 */
export async function readSettledEpochs(
  client: PublicClient,
  deployment: Deployment,
): Promise<Map<string, OperatorSettledEpoch[]>> {
  const logs = await client.getContractEvents({
    address: deployment.contracts.RewardsDistributor,
    abi: rewardsDistributorAbi,
    eventName: "EpochSettled",
    fromBlock: deployment.block,
  });
  const byOperator = new Map<string, OperatorSettledEpoch[]>();
  for (const log of logs) {
    const key = log.args.operator!.toLowerCase();
    const list = byOperator.get(key) ?? [];
    list.push({
      epoch: log.args.epoch!,
      reward: log.args.reward!,
      commission: log.args.commission!,
      selfShare: log.args.selfShare!,
      poolShare: log.args.poolShare!,
    });
    byOperator.set(key, list);
  }
  return byOperator;
}
