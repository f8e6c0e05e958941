import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import { readJobStatus, type JobStatus, type ShardStatus } from "../../../sdk/market/readJobStatus";
import { readAssignmentsReopenAt } from "../../../sdk/market/readAssignmentsReopenAt";
import { committedRoot, isClaimedSubmission, operatorEndpoints, resultURIOf } from "../../../sdk/market/claimedShards";

/**
 * One shard as the developer page shows it: as the chain holds it, its result URI (from
 * `ShardSubmitted`: the market emits it and does not store it, PROTOCOL §9.2), and what its outcome
 * credited in the market (pull payments, §9.3: withdrawn with `withdraw`).
 */
export interface ShardRow extends Omit<ShardStatus, "resultURI"> {
  /** Where the operator's agent serves the results; absent until the shard is submitted. */
  resultURI?: string;
  /** Credited to the operator (net of the fee) on a Valid or DeveloperFault verdict. */
  paid?: bigint;
  /** The protocol fee of that payment. */
  fee?: bigint;
  /** Credited to the developer (settlement, developer fault, failure, cancel or expiry). */
  refund?: bigint;
}

/** One job with its shards (sdk `readJobStatus`: job, gang state, verify window, shards at one block). */
export interface JobRow extends Omit<JobStatus, "shards"> {
  shards: ShardRow[];
  specURI: string;
  /** The block time of its `JobCreated`. */
  createdAt: bigint;
  /** `assignmentsReopenAt(jobId)` (PROTOCOL §20.9); undefined when the market has no such rule. */
  reopensAt?: bigint;
}

/**
 * The jobs a developer created (from `JobCreated` logs since the deployment block), newest first,
 * each read with the sdk's `readJobStatus`, the result URIs from `ShardSubmitted` and the credited
 * amounts from the outcome events.
 */
export async function readJobs(
  client: PublicClient,
  deployment: Deployment,
  developer: Address,
  limit = 20,
): Promise<JobRow[]> {
  const market = deployment.contracts.JobMarket;
  const fromBlock = deployment.block;
  const endpointOf = operatorEndpoints(client, deployment.contracts.OperatorStaking);
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
      const [status, submitted, settled, developerFault, failed, cancelled, expired, block, reopensAt] =
        await Promise.all([
          readJobStatus(client, { market, jobId }),
          client.getContractEvents({
            address: market,
            abi: jobMarketAbi,
            eventName: "ShardSubmitted",
            args: { jobId },
            fromBlock,
          }),
          paidOutcome("ShardSettled"),
          paidOutcome("ShardDeveloperFault"),
          outcome("ShardFailed"),
          outcome("ShardCancelled"),
          outcome("ShardExpired"),
          client.getBlock({ blockNumber: log.blockNumber! }),
          readAssignmentsReopenAt(client, { market, jobId }),
        ]);
      const rows: ShardRow[] = status.shards.map((s) => ({ ...s }));
      for (const e of submitted) {
        const row = rows[e.args.shard!];
        row.resultURI = e.args.resultURI;
        // A claim (PROTOCOL §20.10): the root from its event, the results at its operator's endpoint.
        row.resultRoot = committedRoot(row.resultRoot, e.args.resultRoot);
        if (isClaimedSubmission(row.resultURI)) {
          row.resultURI = await resultURIOf(
            { resultURI: "", operator: e.args.operator! },
            jobId,
            e.args.shard!,
            endpointOf,
          ).catch(() => undefined);
        }
      }
      for (const e of [...settled, ...developerFault]) {
        Object.assign(rows[e.args.shard!], { paid: e.args.paid, fee: e.args.fee, refund: e.args.refund });
      }
      for (const e of [...failed, ...cancelled, ...expired]) rows[e.args.shard!].refund = e.args.refund;
      return { ...status, shards: rows, specURI: log.args.specURI ?? "", createdAt: block.timestamp, reopensAt };
    }),
  );
}
