import { getAbiItem, type Log, type PublicClient } from "viem";
import { LogFollower, type CursorStore } from "../../sdk/chain/logFollower";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { shardExpiredEvent, shardFailedEvent, shardSettledEvent, shardSubmittedEvent } from "../../sdk/market/events";
import type { SubmissionStore } from "../store/submissionStore";

/** `JobMarket.ShardDeveloperFault` (PROTOCOL §18.2): final, like settled, failed and expired. */
const shardDeveloperFaultEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardDeveloperFault" });

const watchedEvents = [
  shardSubmittedEvent,
  shardSettledEvent,
  shardFailedEvent,
  shardExpiredEvent,
  shardDeveloperFaultEvent,
];

type DecodedLog = Log & { eventName?: string; args?: Record<string, unknown> };

/**
 * Follows JobMarket's submissions (with their units) and final states (sdk/chain/logFollower: persisted cursor,
 * survives RPC errors and restarts) into the SubmissionStore. The handler is idempotent, as the
 * follower requires.
 */
export function createSubmissionWatcher(p: {
  client: PublicClient;
  market: `0x${string}`;
  cursor: CursorStore;
  startBlock: bigint;
  submissions: SubmissionStore;
}): LogFollower {
  return new LogFollower({
    name: `oracle-market-${p.market.toLowerCase()}`,
    client: p.client,
    address: p.market,
    events: watchedEvents,
    cursor: p.cursor,
    startBlock: p.startBlock,
    onLogs: async (logs) => {
      for (const log of logs as DecodedLog[]) {
        const args = log.args ?? {};
        const jobId = args.jobId as bigint;
        const shard = Number(args.shard);
        if (log.eventName === "ShardSubmitted") {
          p.submissions.submitted({
            jobId,
            shard,
            operator: args.operator as `0x${string}`,
            root: args.resultRoot as `0x${string}`,
            units: BigInt(args.units as bigint),
            block: BigInt(args.blockNumber as bigint),
          });
        } else {
          p.submissions.finalised(jobId, shard);
        }
      }
    },
  });
}
