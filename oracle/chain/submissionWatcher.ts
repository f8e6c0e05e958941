import type { Log, PublicClient } from "viem";
import { LogFollower, type CursorStore } from "../../sdk/chain/logFollower";
import {
  shardDeveloperFaultEvent,
  shardExpiredEvent,
  shardFailedEvent,
  shardSettledEvent,
  shardSubmittedEvent,
} from "../../sdk/market/events";
import type { SubmissionStore } from "../store/submissionStore";

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
  /** Blocks to stay behind the head (PROTOCOL §18.4). */
  confirmations?: bigint;
}): LogFollower {
  return new LogFollower({
    name: `oracle-market-${p.market.toLowerCase()}`,
    client: p.client,
    address: p.market,
    events: watchedEvents,
    cursor: p.cursor,
    startBlock: p.startBlock,
    confirmations: p.confirmations,
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
