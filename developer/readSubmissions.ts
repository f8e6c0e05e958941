// Each submitted shard's result URI: the market emits it in `ShardSubmitted` and does not store it
// (PROTOCOL §9.2), so `getShard` has no `resultURI`; one log query per job reads them all.
import type { Address, Hex } from "viem";
import { jobMarketAbi } from "../sdk/contracts/abis";
import type { Connection } from "./connect";

/** What the `ShardSubmitted` event of one shard says. */
export interface Submission {
  operator: Address;
  resultRoot: Hex;
  units: bigint;
  resultURI: string;
}

/** `ShardSubmitted` of `jobId` since the deployment block, by shard (a shard is submitted at most once). */
export async function readSubmissions(conn: Connection, jobId: bigint): Promise<Map<number, Submission>> {
  const logs = await conn.publicClient.getContractEvents({
    address: conn.deployment.contracts.JobMarket,
    abi: jobMarketAbi,
    eventName: "ShardSubmitted",
    args: { jobId },
    fromBlock: conn.deployment.block,
  });
  return new Map(
    logs.map(({ args: a }) => [
      a.shard!,
      { operator: a.operator!, resultRoot: a.resultRoot!, units: a.units!, resultURI: a.resultURI! },
    ]),
  );
}
