import type { Address, PublicClient } from "viem";
import { operatorStakingAbi, rewardsDistributorAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One line of the history table. */
export interface HistoryEntry {
  blockNumber: bigint;
  logIndex: number;
  kind: "epoch settled" | "operator claimed" | "delegated" | "undelegated" | "delegator claimed" | "withdrawn";
  operator: Address;
  /** The delegator or claim recipient, where there is one. */
  account?: Address;
  amount: bigint;
  epoch?: bigint;
}

/**
 * Reward and delegation history rebuilt from events since the deployment block, newest first:
 * `EpochSettled`, `RewardsClaimed` (both contracts), `Delegated`, `Undelegated`, `DelegationWithdrawn`.
 * With `account`, only that delegator's delegation events (and every epoch settlement).
 */
export async function readHistory(
  client: PublicClient,
  deployment: Deployment,
  account?: Address,
  limit = 50,
): Promise<HistoryEntry[]> {
  const { OperatorStaking: staking, RewardsDistributor: rewards } = deployment.contracts;
  const fromBlock = deployment.block;
  const delegator = account ? { delegator: account } : undefined;
  const [settled, opClaims, delegated, undelegated, claims, withdrawn] = await Promise.all([
    client.getContractEvents({ address: rewards, abi: rewardsDistributorAbi, eventName: "EpochSettled", fromBlock }),
    client.getContractEvents({ address: rewards, abi: rewardsDistributorAbi, eventName: "RewardsClaimed", fromBlock }),
    client.getContractEvents({
      address: staking,
      abi: operatorStakingAbi,
      eventName: "Delegated",
      args: delegator,
      fromBlock,
    }),
    client.getContractEvents({
      address: staking,
      abi: operatorStakingAbi,
      eventName: "Undelegated",
      args: delegator,
      fromBlock,
    }),
    client.getContractEvents({
      address: staking,
      abi: operatorStakingAbi,
      eventName: "RewardsClaimed",
      args: delegator,
      fromBlock,
    }),
    client.getContractEvents({
      address: staking,
      abi: operatorStakingAbi,
      eventName: "DelegationWithdrawn",
      args: delegator,
      fromBlock,
    }),
  ]);
  const entries: HistoryEntry[] = [
    ...settled.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "epoch settled" as const,
      operator: e.args.operator!,
      amount: e.args.reward!,
      epoch: e.args.epoch,
    })),
    ...opClaims.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "operator claimed" as const,
      operator: e.args.operator!,
      account: e.args.to,
      amount: e.args.amount!,
    })),
    ...delegated.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "delegated" as const,
      operator: e.args.operator!,
      account: e.args.delegator,
      amount: e.args.amount!,
    })),
    ...undelegated.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "undelegated" as const,
      operator: e.args.operator!,
      account: e.args.delegator,
      amount: e.args.tokens!,
    })),
    ...claims.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "delegator claimed" as const,
      operator: e.args.operator!,
      account: e.args.delegator,
      amount: e.args.tokens!,
    })),
    ...withdrawn.map((e) => ({
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      kind: "withdrawn" as const,
      operator: e.args.operator!,
      account: e.args.delegator,
      amount: e.args.tokens!,
    })),
  ];
  entries.sort((a, b) =>
    a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : a.blockNumber > b.blockNumber ? -1 : 1,
  );
  return entries.slice(0, limit);
}
