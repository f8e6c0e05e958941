import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";

/** Shard states, as `IJobMarket.ShardState` encodes them (PROTOCOL §9.2). */
export const SHARD_STATES = ["Open", "Accepted", "Submitted", "Settled", "Failed", "Cancelled", "Expired"] as const;
export type ShardStateName = (typeof SHARD_STATES)[number];

/** One shard as the developer page shows it. */
export interface ShardRow {
  index: number;
  state: ShardStateName;
  operator: Address;
  acceptedAt: bigint;
  submittedAt: bigint;
  units: bigint;
  resultRoot: `0x${string}`;
  resultURI: string;
  /** Paid to the operator on a Valid verdict. */
  paid?: bigint;
  /** Refunded to the developer (settlement, failure, cancel or expiry). */
  refund?: bigint;
}

/** One job with its shards. */
export interface JobRow {
  id: bigint;
  developer: Address;
  paymentToken: Address;
  kind: number;
  verificationMode: number;
  shards: ShardRow[];
  deadline: bigint;
  maxUnitsPerShard: bigint;
  maxPricePerUnit: bigint;
  escrow: bigint;
  specURI: string;
}

/**
 * The jobs a developer created (from `JobCreated` logs since the deployment block), newest first,
 * each with its shards read now and the amounts from the settlement events.
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
      const job = await client.readContract({
        address: market,
        abi: jobMarketAbi,
        functionName: "getJob",
        args: [jobId],
      });
      const [shards, settled, failed, cancelled, expired] = await Promise.all([
        Promise.all(
          Array.from({ length: job.shards }, (_, i) =>
            client.readContract({ address: market, abi: jobMarketAbi, functionName: "getShard", args: [jobId, i] }),
          ),
        ),
        client.getContractEvents({
          address: market,
          abi: jobMarketAbi,
          eventName: "ShardSettled",
          args: { jobId },
          fromBlock,
        }),
        client.getContractEvents({
          address: market,
          abi: jobMarketAbi,
          eventName: "ShardFailed",
          args: { jobId },
          fromBlock,
        }),
        client.getContractEvents({
          address: market,
          abi: jobMarketAbi,
          eventName: "ShardCancelled",
          args: { jobId },
          fromBlock,
        }),
        client.getContractEvents({
          address: market,
          abi: jobMarketAbi,
          eventName: "ShardExpired",
          args: { jobId },
          fromBlock,
        }),
      ]);
      const rows: ShardRow[] = shards.map((s, i) => ({
        index: i,
        state: SHARD_STATES[s.state] ?? "Open",
        operator: s.operator,
        acceptedAt: s.acceptedAt,
        submittedAt: s.submittedAt,
        units: s.units,
        resultRoot: s.resultRoot,
        resultURI: s.resultURI,
      }));
      for (const e of settled) Object.assign(rows[e.args.shard!], { paid: e.args.paid, refund: e.args.refund });
      for (const e of [...failed, ...cancelled, ...expired]) rows[e.args.shard!].refund = e.args.refund;
      return {
        id: jobId,
        developer: job.developer,
        paymentToken: job.paymentToken,
        kind: job.kind,
        verificationMode: job.verificationMode,
        shards: rows,
        deadline: job.deadline,
        maxUnitsPerShard: job.maxUnitsPerShard,
        maxPricePerUnit: job.maxPricePerUnit,
        escrow: job.escrow,
        specURI: log.args.specURI ?? "",
      };
    }),
  );
}
