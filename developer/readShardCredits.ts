// What each final shard of a job credited, from the market's outcome events (PROTOCOL §9.3): the
// amounts are credited to the operator and the developer inside the market (pull payments), and
// leave it only by `withdraw`.
import type { Address } from "viem";
import { jobMarketAbi } from "../sdk/contracts/abis";
import type { Connection } from "./connect";

/** One shard's outcome and what it credited (payment-token base units). */
export interface ShardCredit {
  shard: number;
  outcome: "settled" | "developer-fault" | "failed" | "cancelled" | "expired";
  operator?: Address;
  /** Credited to the operator, net of the fee (Valid and DeveloperFault verdicts). */
  paid: bigint;
  /** The protocol fee (to the treasury, or burned for RGL). */
  fee: bigint;
  /** Credited to the developer. */
  refund: bigint;
}

/** Every outcome event of `jobId` since the deployment block, by shard (a shard has at most one). */
export async function readShardCredits(conn: Connection, jobId: bigint): Promise<Map<number, ShardCredit>> {
  const address = conn.deployment.contracts.JobMarket;
  const fromBlock = conn.deployment.block;
  const base = { address, abi: jobMarketAbi, args: { jobId }, fromBlock } as const;
  const [settled, developerFault, failed, cancelled, expired] = await Promise.all([
    conn.publicClient.getContractEvents({ ...base, eventName: "ShardSettled" }),
    conn.publicClient.getContractEvents({ ...base, eventName: "ShardDeveloperFault" }),
    conn.publicClient.getContractEvents({ ...base, eventName: "ShardFailed" }),
    conn.publicClient.getContractEvents({ ...base, eventName: "ShardCancelled" }),
    conn.publicClient.getContractEvents({ ...base, eventName: "ShardExpired" }),
  ]);
  const credits = new Map<number, ShardCredit>();
  const put = (c: ShardCredit) => credits.set(c.shard, c);
  for (const { args: a } of settled)
    put({ shard: a.shard!, outcome: "settled", operator: a.operator, paid: a.paid!, fee: a.fee!, refund: a.refund! });
  for (const { args: a } of developerFault) {
    put({
      shard: a.shard!,
      outcome: "developer-fault",
      operator: a.operator,
      paid: a.paid!,
      fee: a.fee!,
      refund: a.refund!,
    });
  }
  for (const { args: a } of failed)
    put({ shard: a.shard!, outcome: "failed", operator: a.operator, paid: 0n, fee: 0n, refund: a.refund! });
  for (const { args: a } of cancelled)
    put({ shard: a.shard!, outcome: "cancelled", paid: 0n, fee: 0n, refund: a.refund! });
  for (const { args: a } of expired)
    put({ shard: a.shard!, outcome: "expired", operator: a.operator, paid: 0n, fee: 0n, refund: a.refund! });
  return credits;
}
