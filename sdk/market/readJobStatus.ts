import type { Address, Client } from "viem";
import { getBlock, readContract } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";
import { shardStateName, type ShardStateName } from "./enums";
import { readJob, type ReadJobReturnType } from "./readJob";
import { readShard, type ReadShardReturnType } from "./readShard";

/** Parameters of {@link readJobStatus}. */
export interface ReadJobStatusParameters {
  /** JobMarket's address. */
  market: Address;
  jobId: bigint;
  /** Read at this block; default the latest. */
  blockNumber?: bigint;
}

/**
 * One shard of a {@link JobStatus}: the stored shard (with `verifyWindow`, the window it was accepted
 * under: the one that decides when it expires, PROTOCOL §20.2), its index, state name and assigned operator.
 */
export interface ShardStatus extends ReadShardReturnType {
  shard: number;
  stateName: ShardStateName;
  /**
   * `assignedOperator(jobId, shard)`: the only operator that may accept it, or zero: anyone eligible
   * (and zero once the shard left Open: the reservation lives in the Open shard's word, PROTOCOL §20.10).
   */
  assigned: Address;
}

/** A job with everything the market's rules decide with, read at one block. */
export interface JobStatus extends Omit<ReadJobReturnType, "shards"> {
  jobId: bigint;
  /**
   * The market's current verify window (`params().verifyWindow`, seconds): what a shard accepted now
   * would get. A shard already accepted keeps its own (`shards[i].verifyWindow`).
   */
  verifyWindow: bigint;
  /** V = maxUnitsPerShard × maxPricePerUnit: what each unsettled shard holds in escrow (§9.1). */
  shardValue: bigint;
  /** `gangOf(jobId)` for a gang job (§9.7); absent for a plain one (`acceptDeadline = 0`). */
  gang?: { acceptDeadline: bigint; startedAt: bigint; accepted: number; released: boolean };
  shards: ShardStatus[];
  /** The block every value was read at, and its timestamp: the chain time of this status. */
  blockNumber: bigint;
  timestamp: bigint;
}

export type ReadJobStatusReturnType = JobStatus;

/**
 * Reads a job, its gang state, the verify window and every shard with its assigned operator, all at
 * one block (docs/PROTOCOL.md §9, §17): what {@link expirable} and {@link planRefund} decide from,
 * and what `rigel job status` and the dapp show. An unknown job throws `MarketUnknownJobError`.
 */
export async function readJobStatus(
  client: Client,
  { market, jobId, blockNumber: at }: ReadJobStatusParameters,
): Promise<ReadJobStatusReturnType> {
  const block = await getBlock(client, at === undefined ? { blockTag: "latest" } : { blockNumber: at });
  const blockNumber = block.number!;
  const m = { address: market, abi: jobMarketAbi, blockNumber } as const;
  const [job, gang, params] = await Promise.all([
    readJob(client, { market, jobId, blockNumber }),
    readContract(client, { ...m, functionName: "gangOf", args: [jobId] }),
    readContract(client, { ...m, functionName: "params" }),
  ]);
  const shards = await Promise.all(
    Array.from({ length: job.shards }, async (_, shard): Promise<ShardStatus> => {
      const [stored, assigned] = await Promise.all([
        readShard(client, { market, jobId, shard, blockNumber }),
        readContract(client, { ...m, functionName: "assignedOperator", args: [jobId, shard] }),
      ]);
      return { ...stored, shard, stateName: shardStateName(stored.state), assigned };
    }),
  );
  return {
    ...job,
    jobId,
    verifyWindow: params.verifyWindow,
    shardValue: job.maxUnitsPerShard * job.maxPricePerUnit,
    gang: gang.acceptDeadline === 0n ? undefined : { ...gang },
    shards,
    blockNumber,
    timestamp: block.timestamp,
  };
}
