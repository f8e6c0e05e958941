import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import { readJobStatus, type JobStatus, type ShardStatus } from "../../../sdk/market/readJobStatus";

/** One shard as the developer page shows it: as the chain holds it, and what its outcome moved. */
export interface ShardRow extends ShardStatus {
  /** Paid to the operator (net of the fee) on a Valid or DeveloperFault verdict. */
  paid?: bigint;
  /** Refunded to the developer (settlement, developer fault, failure, cancel or expiry). */
  refund?: bigint;
}

/** One job with its shards (sdk `readJobStatus`: job, gang state, verify window, shards at one block). */
export interface JobRow extends JobStatus {
  shards: ShardRow[];
  specURI: string;
}

/**
 * The jobs a developer created (from `JobCreated` logs since the deployment block), newest first,
 * each read with the sdk's `readJobStatus` and the amounts from the settlement events.
 */
export async function readJobs(
  client: PublicClient,
  deployment: Deployment,
  developer: Address,
  limit = 20,
): Promise<JobRow[]> {
  const market = deployment.contracts.JobMarket;
  const fromBlock = deployment.block;
  const created = await client.getContractEvents({
    address: market,
    abi: jobMarketAbi,
    eventName: "JobCreated",
    args: { developer },
    fromBlock,
  });
  const recent = created.slice(-limit).reverse();
  return Promise.all(
    recent.map(async (log) => {
      const jobId = log.args.jobId!;
      const outcome = (eventName: "ShardFailed" | "ShardCancelled" | "ShardExpired") =>
        client.getContractEvents({ address: market, abi: jobMarketAbi, eventName, args: { jobId }, fromBlock });
      const paidOutcome = (eventName: "ShardSettled" | "ShardDeveloperFault") =>
        client.getContractEvents({ address: market, abi: jobMarketAbi, eventName, args: { jobId }, fromBlock });
      const [status, settled, developerFault, failed, cancelled, expired] = await Promise.all([
        readJobStatus(client, { market, jobId }),
        paidOutcome("ShardSettled"),
        paidOutcome("ShardDeveloperFault"),
        outcome("ShardFailed"),
        outcome("ShardCancelled"),
        outcome("ShardExpired"),
      ]);
      const rows: ShardRow[] = status.shards.map((s) => ({ ...s }));
      for (const e of [...settled, ...developerFault]) {
        Object.assign(rows[e.args.shard!], { paid: e.args.paid, refund: e.args.refund });
      }
      for (const e of [...failed, ...cancelled, ...expired]) rows[e.args.shard!].refund = e.args.refund;
      return { ...status, shards: rows, specURI: log.args.specURI ?? "" };
    }),
  );
}
