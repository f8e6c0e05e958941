import type { Address, PublicClient } from "viem";
import { jobMarketAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** Every figure the app shows about one operator. */
export interface OperatorRow {
  address: Address;
  metadataURI: string;
  commissionBps: number;
  jailedUntil: bigint;
  selfStake: bigint;
  lockedStake: bigint;
  selfThawing: bigint;
  selfThawEnd: bigint;
  delegated: bigint;
  opsPerSec: bigint;
  vramMiB: number;
  gpuModel: `0x${string}`;
  capacityValidUntil: bigint;
  jobsDone: bigint;
  failed: bigint;
  noShows: bigint;
  slashed: bigint;
  earned: bigint;
  claimable: bigint;
  /** Commission and self share settled but not vested yet (PROTOCOL §10.9), outside `claimable`. */
  vesting: bigint;
  /** When the last of `vesting` vests (0 when nothing vests). */
  vestedBy: bigint;
  /** The reward of the epoch before the current one (settled, or pending when not yet settled). */
  rewardLastEpoch: bigint;
}

/** Operators in registration order (from `OperatorRegistered` logs), each read now. */
export async function readOperators(client: PublicClient, deployment: Deployment): Promise<OperatorRow[]> {
  const { OperatorStaking: staking, RewardsDistributor: rewards, JobMarket: market } = deployment.contracts;
  const registered = await client.getContractEvents({
    address: staking,
    abi: operatorStakingAbi,
    eventName: "OperatorRegistered",
    fromBlock: deployment.block,
  });
  const current = await client.readContract({
    address: rewards,
    abi: rewardsDistributorAbi,
    functionName: "currentEpoch",
  });
  const lastEpoch = current > 0n ? current - 1n : 0n;
  const settledLast =
    current > 0n
      ? await client.getContractEvents({
          address: rewards,
          abi: rewardsDistributorAbi,
          eventName: "EpochSettled",
          args: { epoch: lastEpoch },
          fromBlock: deployment.block,
        })
      : [];
  return Promise.all(
    registered.map(async (log) => {
      const address = log.args.operator!;
      const [info, capacity, stats, record, uri, open, pending] = await Promise.all([
        client.readContract({
          address: staking,
          abi: operatorStakingAbi,
          functionName: "operatorInfo",
          args: [address],
        }),
        client.readContract({ address: staking, abi: operatorStakingAbi, functionName: "capacityOf", args: [address] }),
        client.readContract({
          address: rewards,
          abi: rewardsDistributorAbi,
          functionName: "operatorStats",
          args: [address],
        }),
        client.readContract({ address: market, abi: jobMarketAbi, functionName: "operatorRecord", args: [address] }),
        client.readContract({
          address: staking,
          abi: operatorStakingAbi,
          functionName: "metadataURI",
          args: [address],
        }),
        client.readContract({
          address: rewards,
          abi: rewardsDistributorAbi,
          functionName: "operatorEpoch",
          args: [address],
        }),
        client.readContract({
          address: rewards,
          abi: rewardsDistributorAbi,
          functionName: "pendingRewards",
          args: [address],
        }),
      ]);
      const settled = settledLast.find((e) => e.args.operator === address);
      const rewardLastEpoch = settled?.args.reward ?? (current > 0n && open.epoch === lastEpoch ? pending : 0n);
      return {
        address,
        metadataURI: uri,
        commissionBps: stats.commissionBps,
        jailedUntil: info.jailedUntil,
        selfStake: info.selfStake,
        lockedStake: info.lockedStake,
        selfThawing: info.selfThawing,
        selfThawEnd: info.selfThawEnd,
        delegated: stats.delegatedStake,
        opsPerSec: capacity.opsPerSec,
        vramMiB: capacity.vramMiB,
        gpuModel: capacity.gpuModel,
        capacityValidUntil: capacity.validUntil,
        jobsDone: stats.jobsDone,
        failed: record.failed,
        noShows: record.noShows,
        slashed: record.slashed,
        earned: stats.earned,
        claimable: stats.claimable,
        vesting: stats.vesting,
        vestedBy: stats.vestedBy,
        rewardLastEpoch,
      };
    }),
  );
}
