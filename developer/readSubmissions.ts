// Each submitted shard's result URI: the market emits it in `ShardSubmitted` and does not store it
// (PROTOCOL §9.2), so `getShard` has no `resultURI`; one log query per job reads them all.
import type { Address, Hex } from "viem";
import { jobMarketAbi } from "../sdk/contracts/abis";
import { operatorEndpoints, resultURIOf } from "../sdk/market/claimedShards";
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
  // A claim's event has no URI (PROTOCOL §20.10): its operator's registered endpoint serves it.
  const endpointOf = operatorEndpoints(conn.publicClient, conn.deployment.contracts.OperatorStaking);
  const out = new Map<number, Submission>();
  for (const { args: a } of logs) {
    const submission = { operator: a.operator!, resultRoot: a.resultRoot!, units: a.units!, resultURI: a.resultURI! };
    try {
      submission.resultURI = await resultURIOf(submission, jobId, a.shard!, endpointOf);
    } catch {
      // No readable endpoint: the shard has no URI (the results store may still have it).
    }
    out.set(a.shard!, submission);
  }
  return out;
}
