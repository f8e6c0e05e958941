import type { Address, Client, Hex } from "viem";
import { readJob } from "../sdk/market/readJob";
import { readShard } from "../sdk/market/readShard";

/** What the store reads on-chain: a shard's operator, state and committed root, and a job's developer. */
export interface StoreChain {
  shard(jobId: bigint, shard: number): Promise<{ operator: Address; state: number; resultRoot: Hex }>;
  /** The job's developer; throws for an unknown job (sdk/market `MarketUnknownJobError`). */
  developer(jobId: bigint): Promise<Address>;
}

/** {@link StoreChain} over a JSON-RPC client and the market's address (sdk/market reads, the latest block). */
export function marketStoreChain(client: Client, market: Address): StoreChain {
  return {
    async shard(jobId, shard) {
      const s = await readShard(client, { market, jobId, shard });
      return { operator: s.operator, state: s.state, resultRoot: s.resultRoot };
    },
    async developer(jobId) {
      return (await readJob(client, { market, jobId })).developer;
    },
  };
}
