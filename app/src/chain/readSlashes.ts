import type { Address, Hash, PublicClient } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** One slash of an operator, with the shard and finding that caused it when the market says. */
export interface SlashRecord {
  transactionHash: Hash;
  blockNumber: bigint;
  at: bigint;
  fromSelf: bigint;
  fromPool: bigint;
  /** Who received `toRecipient` (the harmed developer or the reporter, §6.8). */
  recipient: Address;
  toRecipient: bigint;
  burned: bigint;
  jailedUntil: bigint;
  /** The shard, from the market's `ShardFailed` / `ShardExpired` in the same transaction. */
  jobId?: bigint;
  shard?: number;
  /** What the oracles found, in words. */
  finding: string;
}

/**
 * The operator's slashes from `OperatorStaking.Slashed`, newest first, each joined to the market's
 * event of the same transaction: `ShardFailed` (the oracles' committee judged the result Invalid)
 * or `ShardExpired` with `noShow` (accepted and never submitted before the deadline).
 */
export async function readSlashes(
  client: PublicClient,
  deployment: Deployment,
  operator: Address,
): Promise<SlashRecord[]> {
  const fromBlock = deployment.block;
  const market = deployment.contracts.JobMarket;
  const [slashed, failed, expired] = await Promise.all([
    client.getContractEvents({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      eventName: "Slashed",
      args: { operator },
      fromBlock,
    }),
    client.getContractEvents({
      address: market,
      abi: jobMarketAbi,
      eventName: "ShardFailed",
      args: { operator },
      fromBlock,
    }),
    client.getContractEvents({
      address: market,
      abi: jobMarketAbi,
      eventName: "ShardExpired",
      args: { operator },
      fromBlock,
    }),
  ]);
  const rows = await Promise.all(
    slashed.map(async (log): Promise<SlashRecord> => {
      const block = await client.getBlock({ blockNumber: log.blockNumber });
      const fail = failed.find((e) => e.transactionHash === log.transactionHash);
      const noShow = expired.find((e) => e.transactionHash === log.transactionHash && e.args.noShow);
      const cause = fail ?? noShow;
      const finding = fail
        ? "the oracles' committee re-ran sampled items and judged the result Invalid (it did not match)"
        : noShow
          ? "no-show: the shard was accepted but no result was submitted before its deadline"
          : "slashed by the market (no shard event in the same transaction)";
      return {
        transactionHash: log.transactionHash,
        blockNumber: log.blockNumber,
        at: block.timestamp,
        fromSelf: log.args.fromSelf!,
        fromPool: log.args.fromPool!,
        recipient: log.args.recipient!,
        toRecipient: log.args.toRecipient!,
        burned: log.args.burned!,
        jailedUntil: BigInt(log.args.jailedUntil!),
        jobId: cause?.args.jobId,
        shard: cause?.args.shard,
        finding,
      };
    }),
  );
  return rows.reverse();
}
