import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";

/** Parameters of {@link readShard}. */
export interface ReadShardParameters {
  /** JobMarket's address. */
  market: Address;
  jobId: bigint;
  shard: number;
  /** Read at this block; default the latest. */
  blockNumber?: bigint;
}

/** `IJobMarket.Shard` as stored (typed from the ABI): `state` is a {@link ShardState} number. */
export type ReadShardReturnType = ContractFunctionReturnType<typeof jobMarketAbi, "view", "getShard">;

/**
 * A shard as JobMarket stores it (`getShard`, docs/PROTOCOL.md §9.2). Every index below the job's
 * shard count starts Open without a storage write, so an index at or beyond it (or of an unknown job)
 * also reads as an Open shard of nobody: check the index against {@link readJob}'s `shards` where it
 * comes from outside. RPC errors are viem's, unchanged.
 */
export function readShard(
  client: Client,
  { market, jobId, shard, blockNumber }: ReadShardParameters,
): Promise<ReadShardReturnType> {
  return readContract(client, {
    address: market,
    abi: jobMarketAbi,
    functionName: "getShard",
    args: [jobId, shard],
    blockNumber,
  });
}
