import type { Address, PublicClient } from "viem";
import { planJob } from "./planJob";
import { plannerJobForSpec, type PlannerJobForSpecParameters } from "./plannerJobForSpec";
import { readOperators, type ChainOperator } from "./readOperators";
import { shardCollateral } from "./shardCollateral";
import type { Plan, PlannerJob, PlannerLiveness } from "./types";

/** Parameters of {@link planOnChain}: where the protocol lives, and the job as {@link plannerJobForSpec} takes it. */
export type PlanOnChainParameters = Omit<PlannerJobForSpecParameters, "collateralPerShard" | "now"> & {
  contracts: { OperatorStaking: Address; JobMarket: Address };
  /** The deployment's block: where the scan for registered operators starts. */
  fromBlock?: bigint;
  paymentToken: Address;
  /** Unix seconds "now" (default: the latest block's timestamp). */
  now?: number;
  /** The oracles' heartbeats (sdk/liveness `fetchHeartbeats`): offline operators are left out; absent: liveness unknown. */
  liveness?: PlannerLiveness;
};

/** What {@link planOnChain} returns: the plan, the planner job it solved, and the operators it read. */
export interface PlanOnChainReturnType {
  plan: Plan;
  job: PlannerJob;
  operators: ChainOperator[];
}

/**
 * Plans a job spec over the operators registered on-chain (docs/PROTOCOL.md §15.5): reads them, plans
 * with no collateral filter, then again with the collateral of the plan's own largest shard (each
 * taken operator must have that much free stake to accept) until the collateral is stable (at most
 * 4 rounds). Shared by `rigel job plan|submit --plan` and the dapp; browser-safe.
 * @throws PlannerInputError | PlannerInfeasibleError from the planner; ReadOperatorsError.
 */
export async function planOnChain(
  client: PublicClient,
  { contracts, fromBlock = 0n, paymentToken, now, liveness, ...job }: PlanOnChainParameters,
): Promise<PlanOnChainReturnType> {
  const operators = await readOperators(client, {
    staking: contracts.OperatorStaking,
    market: contracts.JobMarket,
    fromBlock,
  });
  const at = now ?? Number((await client.getBlock()).timestamp);
  let collateral = 0n;
  for (let round = 0; ; round++) {
    const plannerJob = plannerJobForSpec({ ...job, collateralPerShard: collateral, now: at });
    const plan = planJob({ job: plannerJob, operators, liveness });
    const needed = await shardCollateral(client, {
      market: contracts.JobMarket,
      paymentToken,
      maxUnits: plan.maxUnitsPerShard,
      maxPrice: job.maxPricePerUnit,
    });
    if (needed <= collateral || round === 3) return { plan, job: plannerJob, operators };
    collateral = needed;
  }
}
