import type { Address, PublicClient } from "viem";
import { operatorStakingAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One delegator of an operator, read now. */
export interface Delegator {
  address: Address;
  /** Value of the active shares now (principal + rewards not yet claimed). */
  value: bigint;
  /** Delegated but not active until its epoch ends. */
  pending: bigint;
  thawing: bigint;
  /** Block time of the first `Delegated` to this operator, Unix seconds. */
  since: bigint;
}

/** The operator's delegators (from `Delegated` logs), each with `delegationInfo` now; holders of nothing left out. */
export async function readDelegators(
  client: PublicClient,
  deployment: Deployment,
  operator: Address,
): Promise<Delegator[]> {
  const staking = deployment.contracts.OperatorStaking;
  const logs = await client.getContractEvents({
    address: staking,
    abi: operatorStakingAbi,
    eventName: "Delegated",
    args: { operator },
    fromBlock: deployment.block,
  });
  const firstBlock = new Map<Address, bigint>();
  for (const log of logs)
    if (!firstBlock.has(log.args.delegator!)) firstBlock.set(log.args.delegator!, log.blockNumber);
  const rows = await Promise.all(
    [...firstBlock].map(async ([address, blockNumber]): Promise<Delegator> => {
      const [info, block] = await Promise.all([
        client.readContract({
          address: staking,
          abi: operatorStakingAbi,
          functionName: "delegationInfo",
          args: [operator, address],
        }),
        client.getBlock({ blockNumber }),
      ]);
      return {
        address,
        value: info.value,
        pending: info.pendingTokens,
        thawing: info.thawValue,
        since: block.timestamp,
      };
    }),
  );
  return rows.filter((d) => d.value + d.pending + d.thawing > 0n);
}
