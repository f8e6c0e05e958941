import type { PublicClient } from "viem";
import { rewardsDistributorAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One epoch of the chart: the schedule's emission and what was actually minted. */
export interface EpochPoint {
  epoch: bigint;
  emission: bigint;
  minted: bigint;
  workPoints: bigint;
  availabilityPoints: bigint;
}

/** The rewards page's header figures and chart. */
export interface RewardsOverview {
  genesis: bigint;
  epochLength: bigint;
  initialEmission: bigint;
  decayBps: number;
  workShareBps: number;
  workRewardCapBps: number;
  currentEpoch: bigint;
  totalMinted: bigint;
  /** Past epochs up to the current one, then a few future ones (minted 0). */
  epochs: EpochPoint[];
}

/** Reads the schedule and the last `past` epochs' totals plus `future` epochs of the schedule. */
export async function readRewardsOverview(
  client: PublicClient,
  deployment: Deployment,
  past = 12,
  future = 12,
): Promise<RewardsOverview> {
  const address = deployment.contracts.RewardsDistributor;
  const [schedule, current, totalMinted] = await Promise.all([
    client.readContract({ address, abi: rewardsDistributorAbi, functionName: "schedule" }),
    client.readContract({ address, abi: rewardsDistributorAbi, functionName: "currentEpoch" }),
    client.readContract({ address, abi: rewardsDistributorAbi, functionName: "totalMinted" }),
  ]);
  const first = current >= BigInt(past) ? current - BigInt(past) + 1n : 0n;
  const epochs = await Promise.all(
    Array.from({ length: Number(current - first) + 1 + future }, async (_, i): Promise<EpochPoint> => {
      const epoch = first + BigInt(i);
      if (epoch > current) {
        const emission = await client.readContract({
          address,
          abi: rewardsDistributorAbi,
          functionName: "emissionOf",
          args: [epoch],
        });
        return { epoch, emission, minted: 0n, workPoints: 0n, availabilityPoints: 0n };
      }
      const t = await client.readContract({
        address,
        abi: rewardsDistributorAbi,
        functionName: "epochTotals",
        args: [epoch],
      });
      return {
        epoch,
        emission: t.emission,
        minted: t.minted,
        workPoints: t.workPoints,
        availabilityPoints: t.availabilityPoints,
      };
    }),
  );
  return {
    genesis: schedule.genesis,
    epochLength: schedule.epochLength,
    initialEmission: schedule.initialEmission,
    decayBps: schedule.decayBps,
    workShareBps: schedule.workShareBps,
    workRewardCapBps: schedule.workRewardCapBps,
    currentEpoch: current,
    totalMinted,
    epochs,
  };
}
